using System.Globalization;
using CsRun.Errors;

namespace CsRun.Criu;

/// <summary>checkpoint's --page-server ADDRESS:PORT (criu_page_server_info), split as runc's
/// net.SplitHostPort does: an IPv6 address in brackets.</summary>
internal sealed record PageServerAddress(string Address, int Port)
{
    public static PageServerAddress Parse(string value)
    {
        string host, port;
        if (value.StartsWith('['))
        {
            int close = value.IndexOf(']', StringComparison.Ordinal);
            if (close < 0 || close + 1 >= value.Length || value[close + 1] != ':') throw Usage(value);
            host = value[1..close];
            port = value[(close + 2)..];
        }
        else
        {
            int colon = value.LastIndexOf(':');
            if (colon < 0 || value.IndexOf(':', StringComparison.Ordinal) != colon) throw Usage(value);
            host = value[..colon];
            port = value[(colon + 1)..];
        }
        if (host.Length == 0 || port.Length == 0) throw Usage(value);
        // runc passes any int to CRIU, which truncates it to 16 bits; 0 is silently dropped.
        if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out int n) || n is < 1 or > 65535)
            throw new RuntimeError($"--page-server {value}: invalid port number (1 to 65535)");
        return new PageServerAddress(host, n);
    }

    /// <summary>With --lazy-pages CRIU itself serves the pages and takes only the port from
    /// criu_page_server_info: it listens on every address of the host.</summary>
    public bool IsWildcard => Address is "0.0.0.0" or "::";

    static RuntimeError Usage(string value) => new($"--page-server {value}: use --page-server ADDRESS:PORT to specify page server");
}
