using System.Buffers.Binary;
using System.Text;

namespace CsRun.Cgroups.Systemd;

/// <summary>
/// D-Bus wire format, little-endian: each value aligned to its size (structs and dict entries
/// to 8) from the start of the message, strings as u32 length + UTF-8 + NUL, signatures as u8
/// length + ASCII + NUL, arrays as u32 byte length, padding to the element's alignment, elements.
/// </summary>
internal sealed class DBusWriter
{
    byte[] _buf = new byte[512];
    int _len;

    public int Length => _len;

    public ReadOnlySpan<byte> Written => _buf.AsSpan(0, _len);

    public byte[] ToArray() => _buf.AsSpan(0, _len).ToArray();

    public void Pad(int align)
    {
        int target = (_len + align - 1) / align * align;
        Reserve(target - _len);
        while (_len < target) _buf[_len++] = 0;
    }

    public void Byte(byte v)
    {
        Reserve(1);
        _buf[_len++] = v;
    }

    public void Bool(bool v) => UInt32(v ? 1u : 0u);

    public void UInt32(uint v) => BinaryPrimitives.WriteUInt32LittleEndian(Fixed(4), v);

    public void Int32(int v) => UInt32(unchecked((uint)v));

    public void UInt64(ulong v) => BinaryPrimitives.WriteUInt64LittleEndian(Fixed(8), v);

    public void String(string v)
    {
        int n = Encoding.UTF8.GetByteCount(v);
        UInt32((uint)n);
        Reserve(n + 1);
        Encoding.UTF8.GetBytes(v, _buf.AsSpan(_len));
        _len += n;
        _buf[_len++] = 0;
    }

    public void ObjectPath(string v) => String(v);

    public void Signature(string v)
    {
        if (v.Length > 255) throw new ArgumentException("D-Bus signature too long", nameof(v));
        Byte((byte)v.Length);
        Reserve(v.Length + 1);
        Encoding.ASCII.GetBytes(v, _buf.AsSpan(_len));
        _len += v.Length;
        _buf[_len++] = 0;
    }

    /// <summary>Starts an array; pass the result to <see cref="EndArray"/> after the elements.</summary>
    public (int LengthAt, int Start) BeginArray(int elementAlign)
    {
        Pad(4);
        int at = _len;
        UInt32(0);
        Pad(elementAlign);
        return (at, _len);
    }

    public void EndArray((int LengthAt, int Start) array) =>
        BinaryPrimitives.WriteUInt32LittleEndian(_buf.AsSpan(array.LengthAt), (uint)(_len - array.Start));

    public void BeginStruct() => Pad(8);

    /// <summary>Overwrites a u32 written earlier (the message's body length).</summary>
    public void PatchUInt32(int at, uint v) => BinaryPrimitives.WriteUInt32LittleEndian(_buf.AsSpan(at), v);

    /// <summary>Room for a fixed-size value, aligned to its size.</summary>
    Span<byte> Fixed(int size)
    {
        Pad(size);
        Reserve(size);
        _len += size;
        return _buf.AsSpan(_len - size, size);
    }

    void Reserve(int n)
    {
        if (_len + n <= _buf.Length) return;
        Array.Resize(ref _buf, Math.Max(_buf.Length * 2, _len + n));
    }
}
