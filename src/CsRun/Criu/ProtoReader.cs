using System.Text;

namespace CsRun.Criu;

/// <summary>Walks the fields of one protobuf message (CRIU's responses); unknown fields are skipped.</summary>
internal ref struct ProtoReader
{
    readonly ReadOnlySpan<byte> _data;
    int _pos;

    public ProtoReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        _pos = 0;
    }

    public int Field { get; private set; }
    public ulong Varint { get; private set; }
    public ReadOnlySpan<byte> Bytes => _data.Slice(_bytesStart, _bytesLength);
    public string String => Encoding.UTF8.GetString(Bytes);
    int _bytesStart, _bytesLength;

    /// <summary>Next field; false at the end. A malformed message is a <see cref="FormatException"/>.</summary>
    public bool Next()
    {
        if (_pos >= _data.Length) return false;
        ulong tag = ReadVarint();
        Field = (int)(tag >> 3);
        switch ((int)(tag & 7))
        {
            case 0: Varint = ReadVarint(); break;
            case 1: Skip(8); break;
            case 2:
                int n = checked((int)ReadVarint());
                _bytesStart = _pos;
                _bytesLength = n;
                Skip(n);
                break;
            case 5: Skip(4); break;
            default: throw new FormatException($"protobuf wire type {tag & 7}");
        }
        return true;
    }

    void Skip(int n)
    {
        if (n < 0 || _pos + n > _data.Length) throw new FormatException("protobuf field past the end");
        _pos += n;
    }

    ulong ReadVarint()
    {
        ulong v = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (_pos >= _data.Length) throw new FormatException("protobuf varint past the end");
            byte b = _data[_pos++];
            v |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80) return v;
        }
        throw new FormatException("protobuf varint too long");
    }
}
