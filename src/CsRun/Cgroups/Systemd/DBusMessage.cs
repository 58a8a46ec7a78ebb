using System.Buffers.Binary;

namespace CsRun.Cgroups.Systemd;

internal enum DBusMessageType : byte { MethodCall = 1, MethodReturn = 2, Error = 3, Signal = 4 }

/// <summary>The header fields a message may carry (the bus adds the sender).</summary>
internal readonly record struct DBusHeader(string? Path, string? Interface, string? Member, string? ErrorName,
    uint ReplySerial, string? Destination)
{
    public DBusHeader() : this(null, null, null, null, 0, null) { }
}

/// <summary>
/// One D-Bus message. The fixed header is: byte order ('l' or 'B'), type, flags, protocol
/// version 1, u32 body length, u32 serial; then the header fields as a(yv), padding to 8,
/// and the body.
/// </summary>
internal sealed class DBusMessage
{
    // Header field codes.
    const byte FieldPath = 1, FieldInterface = 2, FieldMember = 3, FieldErrorName = 4, FieldReplySerial = 5;
    const byte FieldDestination = 6, FieldSender = 7, FieldSignature = 8;

    /// <summary>The fixed header and the header fields' array length: enough to know the size.</summary>
    public const int PrefixLength = 16;

    /// <summary>The largest message the specification allows (128 MiB).</summary>
    const int MaxLength = 128 << 20;

    public DBusMessageType Type { get; private init; }
    public byte Flags { get; private init; }
    public uint Serial { get; private init; }
    public uint ReplySerial { get; private init; }
    public string? Path { get; private init; }
    public string? Interface { get; private init; }
    public string? Member { get; private init; }
    public string? ErrorName { get; private init; }
    public string? Destination { get; private init; }
    public string? Sender { get; private init; }
    public string Signature { get; private init; } = "";

    byte[] _data = Array.Empty<byte>();
    int _bodyStart;
    bool _bigEndian;

    /// <summary>A reader over the body, positioned at its first value.</summary>
    public DBusReader Body() => new(_data, _bodyStart, _data.Length, _bigEndian);

    /// <summary>The first string of the body, if it has one: an error reply's message.</summary>
    public string? FirstString()
    {
        if (!Signature.StartsWith('s')) return null;
        try { return Body().String(); }
        catch (DBusFormatException) { return null; }
    }

    /// <summary>A method call, serialized. Flags: 0 (a reply is wanted).</summary>
    public static byte[] MethodCall(uint serial, string? destination, string path, string? iface, string member,
        string signature, Action<DBusWriter>? body) =>
        Encode(DBusMessageType.MethodCall, serial, new DBusHeader { Path = path, Interface = iface, Member = member, Destination = destination },
            signature, body);

    /// <summary>Any message, serialized (little-endian, protocol version 1, no flags).</summary>
    public static byte[] Encode(DBusMessageType type, uint serial, DBusHeader h, string signature, Action<DBusWriter>? body)
    {
        var w = new DBusWriter();
        w.Byte((byte)'l');
        w.Byte((byte)type);
        w.Byte(0);
        w.Byte(1);
        w.UInt32(0); // body length, patched below
        w.UInt32(serial);
        var fields = w.BeginArray(8);
        if (h.Path != null) Field(w, FieldPath, "o", h.Path);
        if (h.Interface != null) Field(w, FieldInterface, "s", h.Interface);
        if (h.Member != null) Field(w, FieldMember, "s", h.Member);
        if (h.ErrorName != null) Field(w, FieldErrorName, "s", h.ErrorName);
        if (h.ReplySerial != 0)
        {
            w.BeginStruct();
            w.Byte(FieldReplySerial);
            w.Signature("u");
            w.UInt32(h.ReplySerial);
        }
        if (h.Destination != null) Field(w, FieldDestination, "s", h.Destination);
        if (signature.Length > 0) Field(w, FieldSignature, "g", signature);
        w.EndArray(fields);
        w.Pad(8);
        int bodyStart = w.Length;
        body?.Invoke(w);
        w.PatchUInt32(4, (uint)(w.Length - bodyStart));
        return w.ToArray();
    }

    static void Field(DBusWriter w, byte code, string type, string value)
    {
        w.BeginStruct();
        w.Byte(code);
        w.Signature(type);
        if (type == "g") w.Signature(value);
        else w.String(value);
    }

    /// <summary>The whole message's length from its first <see cref="PrefixLength"/> bytes.</summary>
    public static int TotalLength(ReadOnlySpan<byte> prefix)
    {
        bool big = prefix[0] switch
        {
            (byte)'l' => false,
            (byte)'B' => true,
            _ => throw new DBusFormatException($"unknown byte order 0x{prefix[0]:x2}"),
        };
        uint body = big ? BinaryPrimitives.ReadUInt32BigEndian(prefix[4..]) : BinaryPrimitives.ReadUInt32LittleEndian(prefix[4..]);
        uint fields = big ? BinaryPrimitives.ReadUInt32BigEndian(prefix[12..]) : BinaryPrimitives.ReadUInt32LittleEndian(prefix[12..]);
        long total = (PrefixLength + (long)fields + 7) / 8 * 8 + body;
        if (body > MaxLength || fields > MaxLength || total > MaxLength) throw new DBusFormatException("message too long");
        return (int)total;
    }

    /// <summary>Parses one whole message (as long as <see cref="TotalLength"/> said).</summary>
    public static DBusMessage Parse(byte[] data)
    {
        if (data.Length < PrefixLength) throw new DBusFormatException("message shorter than its header");
        bool big = data[0] == (byte)'B';
        if (data[3] != 1) throw new DBusFormatException($"protocol version {data[3]}");
        var r = new DBusReader(data, 12, data.Length, big);
        int end = r.BeginArray(8);
        string? path = null, iface = null, member = null, error = null, dest = null, sender = null, sig = null;
        uint replySerial = 0;
        while (r.Position < end)
        {
            r.Align(8);
            byte code = r.Byte();
            string type = r.Signature();
            switch (code, type)
            {
                case (FieldPath, "o"): path = r.String(); break;
                case (FieldInterface, "s"): iface = r.String(); break;
                case (FieldMember, "s"): member = r.String(); break;
                case (FieldErrorName, "s"): error = r.String(); break;
                case (FieldReplySerial, "u"): replySerial = r.UInt32(); break;
                case (FieldDestination, "s"): dest = r.String(); break;
                case (FieldSender, "s"): sender = r.String(); break;
                case (FieldSignature, "g"): sig = r.Signature(); break;
                default: r.Skip(type); break;
            }
        }
        r.Align(8);
        var type0 = (DBusMessageType)data[1];
        return new DBusMessage
        {
            Type = type0, Flags = data[2],
            Serial = big ? BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(8)) : BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(8)),
            ReplySerial = replySerial, Path = path, Interface = iface, Member = member, ErrorName = error,
            Destination = dest, Sender = sender, Signature = sig ?? "",
            _data = data, _bodyStart = r.Position, _bigEndian = big,
        };
    }
}
