using System.Globalization;

namespace CsRun.Container;

internal static class Rfc3339
{
    /// <summary>UTC with nanosecond digits, as Go's time.RFC3339Nano prints (runc's "created").</summary>
    public static string Now() =>
        DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff", CultureInfo.InvariantCulture) + "00Z";
}
