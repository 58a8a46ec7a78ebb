using System.Text;

namespace CsRun.Criu;

/// <summary>
/// The few protobuf (proto2) encodings CRIU's RPC needs: varints, strings, nested messages.
/// Hand-written rather than Google.Protobuf: a dozen fields of three messages do not pay for a
/// library's size and start-up (README, "Checkpoint and restore").
/// </summary>
internal sealed class ProtoWriter
{
    readonly List<byte> _bytes = new();

    public byte[] ToArray() => _bytes.ToArray();

    void Varint(ulong v)
    {
        while (v >= 0x80)
        {
            _bytes.Add((byte)(v | 0x80));
            v >>= 7;
        }
        _bytes.Add((byte)v);
    }

    void Tag(int field, int wireType) => Varint((ulong)((field << 3) | wireType));

    /// <summary>int32, uint32, enum: a negative int32 is sign-extended to 64 bits, as protobuf does.</summary>
    public ProtoWriter Int(int field, long value)
    {
        Tag(field, 0);
        Varint((ulong)value);
        return this;
    }

    public ProtoWriter Bool(int field, bool value) => Int(field, value ? 1 : 0);

    /// <summary>Only a true bool is written: CRIU's defaults are false.</summary>
    public ProtoWriter Flag(int field, bool value) => value ? Bool(field, true) : this;

    public ProtoWriter Bytes(int field, ReadOnlySpan<byte> value)
    {
        Tag(field, 2);
        Varint((ulong)value.Length);
        foreach (byte b in value) _bytes.Add(b);
        return this;
    }

    public ProtoWriter String(int field, string? value) => value == null ? this : Bytes(field, Encoding.UTF8.GetBytes(value));

    public ProtoWriter Message(int field, ProtoWriter message) => Bytes(field, message.ToArray());
}
