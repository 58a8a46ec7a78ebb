using System.Globalization;

namespace CsRun.Cli;

/// <summary>Go's time.ParseDuration, as runc's --interval takes it: "5s", "250ms", "1m30s", "1.5h".</summary>
internal static class GoDuration
{
    static readonly (string Unit, double Nanos)[] Units =
    {
        ("ns", 1), ("us", 1e3), ("\u00b5s", 1e3), ("\u03bcs", 1e3), ("ms", 1e6), ("s", 1e9), ("m", 60e9), ("h", 3600e9),
    };

    /// <summary>Nanoseconds, or null when the text is not a duration.</summary>
    public static double? Parse(string text)
    {
        string s = text;
        double sign = 1;
        if (s.StartsWith('-') || s.StartsWith('+'))
        {
            if (s[0] == '-') sign = -1;
            s = s[1..];
        }
        if (s == "0") return 0;
        if (s.Length == 0) return null;
        double total = 0;
        while (s.Length > 0)
        {
            int i = 0;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.')) i++;
            string number = s[..i];
            if (number.Length == 0 || number == "." || number.Count(c => c == '.') > 1) return null;
            if (!double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double value)) return null;
            s = s[i..];
            int j = 0;
            while (j < s.Length && !char.IsAsciiDigit(s[j]) && s[j] != '.') j++;
            string unit = s[..j];
            s = s[j..];
            double? nanos = null;
            foreach (var u in Units) if (u.Unit == unit) nanos = u.Nanos;
            if (nanos == null) return null;
            total += value * nanos.Value;
        }
        return sign * total;
    }
}
