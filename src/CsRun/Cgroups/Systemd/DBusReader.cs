using System.Buffers.Binary;
using System.Text;

namespace CsRun.Cgroups.Systemd;

/// <summary>A malformed message from the bus.</summary>
internal sealed class DBusFormatException : Exception
{
    public DBusFormatException(string message) : base("malformed D-Bus message: " + message) { }
}

/// <summary>
/// Reads D-Bus values from a whole message, in either byte order; alignment counts from the
/// message's first byte. Reading past the end throws <see cref="DBusFormatException"/>.
/// </summary>
internal sealed class DBusReader
{
    readonly byte[] _data;
    readonly int _end;
    readonly bool _bigEndian;

    public DBusReader(byte[] data, int position, int end, bool bigEndian)
    {
        _data = data;
        Position = position;
        _end = end;
        _bigEndian = bigEndian;
    }

    public int Position { get; private set; }

    public bool AtEnd => Position >= _end;

    public void Align(int n)
    {
        int target = (Position + n - 1) / n * n;
        Need(target - Position);
        Position = target;
    }

    public byte Byte()
    {
        Need(1);
        return _data[Position++];
    }

    public bool Bool() => UInt32() != 0;

    public ushort UInt16()
    {
        var s = Fixed(2);
        return _bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(s) : BinaryPrimitives.ReadUInt16LittleEndian(s);
    }

    public uint UInt32()
    {
        var s = Fixed(4);
        return _bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(s) : BinaryPrimitives.ReadUInt32LittleEndian(s);
    }

    public int Int32() => unchecked((int)UInt32());

    public ulong UInt64()
    {
        var s = Fixed(8);
        return _bigEndian ? BinaryPrimitives.ReadUInt64BigEndian(s) : BinaryPrimitives.ReadUInt64LittleEndian(s);
    }

    /// <summary>A fixed-size value's bytes, aligned to its size.</summary>
    ReadOnlySpan<byte> Fixed(int size)
    {
        Align(size);
        Need(size);
        var s = _data.AsSpan(Position, size);
        Position += size;
        return s;
    }

    public string String()
    {
        uint n = UInt32();
        if (n > int.MaxValue) throw new DBusFormatException("string too long");
        Need((int)n + 1);
        string s = Encoding.UTF8.GetString(_data, Position, (int)n);
        Position += (int)n + 1;
        return s;
    }

    public string Signature()
    {
        int n = Byte();
        Need(n + 1);
        string s = Encoding.ASCII.GetString(_data, Position, n);
        Position += n + 1;
        return s;
    }

    /// <summary>Starts an array; returns the position where its elements end.</summary>
    public int BeginArray(int elementAlign)
    {
        uint n = UInt32();
        Align(elementAlign);
        if (n > (uint)(_end - Position)) throw new DBusFormatException("array longer than the message");
        return Position + (int)n;
    }

    /// <summary>A variant holding a string (or object path or signature); null if it holds something else.</summary>
    public string? VariantString()
    {
        string sig = Signature();
        switch (sig)
        {
            case "s" or "o": return String();
            case "g": return Signature();
            default:
                Skip(sig);
                return null;
        }
    }

    /// <summary>Skips one complete value of each type in the signature.</summary>
    public void Skip(string signature)
    {
        int i = 0;
        while (i < signature.Length) SkipOne(signature, ref i);
    }

    void SkipOne(string sig, ref int i)
    {
        char c = sig[i++];
        switch (c)
        {
            case 'y': Byte(); break;
            case 'n' or 'q': UInt16(); break;
            case 'b' or 'i' or 'u' or 'h': UInt32(); break;
            case 'x' or 't' or 'd': UInt64(); break;
            case 's' or 'o': String(); break;
            case 'g': Signature(); break;
            case 'v': Skip(Signature()); break;
            case 'a':
                {
                    int elementStart = i;
                    SkipType(sig, ref i);
                    string element = sig[elementStart..i];
                    int end = BeginArray(Alignment(element[0]));
                    while (Position < end)
                    {
                        int j = 0;
                        SkipOne(element, ref j);
                    }
                    if (Position != end) throw new DBusFormatException("array element overran the array");
                    break;
                }
            case '(' or '{':
                {
                    Align(8);
                    char close = c == '(' ? ')' : '}';
                    while (i < sig.Length && sig[i] != close) SkipOne(sig, ref i);
                    if (i >= sig.Length) throw new DBusFormatException($"unterminated signature {sig}");
                    i++;
                    break;
                }
            default: throw new DBusFormatException($"unknown type code '{c}'");
        }
    }

    /// <summary>Moves past one complete type in the signature (no data read).</summary>
    static void SkipType(string sig, ref int i)
    {
        if (i >= sig.Length) throw new DBusFormatException($"incomplete signature {sig}");
        char c = sig[i++];
        if (c == 'a')
        {
            SkipType(sig, ref i);
            return;
        }
        if (c is not ('(' or '{')) return;
        char close = c == '(' ? ')' : '}';
        while (i < sig.Length && sig[i] != close) SkipType(sig, ref i);
        if (i >= sig.Length) throw new DBusFormatException($"unterminated signature {sig}");
        i++;
    }

    public static int Alignment(char typeCode) => typeCode switch
    {
        'y' or 'g' or 'v' => 1,
        'n' or 'q' => 2,
        'x' or 't' or 'd' or '(' or '{' => 8,
        _ => 4,
    };

    void Need(int n)
    {
        if (n < 0 || Position + n > _end) throw new DBusFormatException("value runs past the end");
    }
}
