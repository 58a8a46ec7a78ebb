using System.Globalization;
using CsRun.Errors;

namespace CsRun.Cli;

/// <summary>
/// Sizes as runc's `update` takes them (docker/go-units RAMInBytes): a number, optionally
/// with a fraction, an optional space, then an optional binary unit k, m, g, t or p (any
/// case, 1024-based), an optional "i" and an optional "b": "512", "64m", "1.5GiB", "2 kb".
/// </summary>
internal static class RamSize
{
    const string Units = "kmgtp";

    public static long Parse(string text)
    {
        int i = 0;
        while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] == '.')) i++;
        string number = text[..i];
        if (number.Length == 0 || !char.IsAsciiDigit(number[0]) || number.EndsWith('.') || number.Contains(".."))
            throw Invalid(text);
        if (i < text.Length && text[i] == ' ') i++;
        string suffix = text[i..].ToLowerInvariant();
        int power = 0;
        if (suffix.Length > 0 && Units.IndexOf(suffix[0]) is int u and >= 0)
        {
            power = u + 1;
            suffix = suffix[1..];
        }
        if (suffix.StartsWith('i')) suffix = suffix[1..];
        if (suffix.StartsWith('b')) suffix = suffix[1..];
        if (suffix.Length > 0) throw Invalid(text);

        if (!double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double size) || number.Count(c => c == '.') > 1)
            throw new RuntimeError($"strconv.ParseFloat: parsing \"{number}\": invalid syntax");
        size *= 1L << (10 * power); // 1024^power, exactly
        if (size >= 9.2233720368547758E18) throw new RuntimeError($"invalid size: '{text}': value out of range");
        return (long)size;
    }

    static RuntimeError Invalid(string text) => new($"invalid size: '{text}'");
}
