using System.Buffers;
using System.Text;

namespace CsRun.Container;

/// <summary>
/// Compact JSON output for state.json, which every create writes: strings are escaped only
/// where RFC 8259 requires it (quote, backslash, control characters), so no System.Text.Json
/// encoder tables are built on the create path (their first use cost about 0.1 ms).
/// </summary>
internal sealed class JsonText
{
    readonly ArrayBufferWriter<byte> _out = new(8192);
    bool _needComma;

    public byte[] ToArray() => _out.WrittenSpan.ToArray();

    public void StartObject() { Separate(); Raw("{"u8); _needComma = false; }
    public void EndObject() { Raw("}"u8); _needComma = true; }

    public void Name(string name) { Separate(); Quoted(name); Raw(":"u8); _needComma = false; }

    public void String(string name, string value) { Name(name); Separate(); Quoted(value); _needComma = true; }
    public void Number(string name, long value) { Name(name); Ascii(value.ToString(System.Globalization.CultureInfo.InvariantCulture)); _needComma = true; }
    public void Number(string name, ulong value) { Name(name); Ascii(value.ToString(System.Globalization.CultureInfo.InvariantCulture)); _needComma = true; }
    public void Boolean(string name, bool value) { Name(name); Raw(value ? "true"u8 : "false"u8); _needComma = true; }

    /// <summary>A value that is already JSON text (the embedded config.json), copied as it is.</summary>
    public void RawValue(ReadOnlySpan<byte> json) { Separate(); Raw(json); _needComma = true; }

    void Separate()
    {
        if (_needComma) Raw(","u8);
        _needComma = false;
    }

    void Raw(ReadOnlySpan<byte> bytes) => _out.Write(bytes);

    void Ascii(string s)
    {
        var span = _out.GetSpan(s.Length);
        for (int i = 0; i < s.Length; i++) span[i] = (byte)s[i];
        _out.Advance(s.Length);
    }

    void Quoted(string s)
    {
        Raw("\""u8);
        int from = 0;
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (c >= 0x20 && c != '"' && c != '\\') continue;
            Utf8(s.AsSpan(from, i - from));
            Escape(c);
            from = i + 1;
        }
        Utf8(s.AsSpan(from));
        Raw("\""u8);
    }

    void Utf8(ReadOnlySpan<char> chars)
    {
        if (chars.IsEmpty) return;
        // Lone surrogates become U+FFFD, as System.Text.Json's writer would refuse them anyway.
        int n = Encoding.UTF8.GetByteCount(chars);
        Encoding.UTF8.GetBytes(chars, _out.GetSpan(n));
        _out.Advance(n);
    }

    void Escape(char c)
    {
        switch (c)
        {
            case '"': Raw("\\\""u8); break;
            case '\\': Raw("\\\\"u8); break;
            case '\n': Raw("\\n"u8); break;
            case '\r': Raw("\\r"u8); break;
            case '\t': Raw("\\t"u8); break;
            default:
                const string hex = "0123456789abcdef";
                Ascii("\\u00" + hex[c >> 4] + hex[c & 0xf]);
                break;
        }
    }
}
