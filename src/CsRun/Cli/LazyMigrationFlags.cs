using CsRun.Criu;
using CsRun.Errors;

namespace CsRun.Cli;

/// <summary>
/// checkpoint's --page-server, --lazy-pages and --status-fd, with runc's meaning, and refused
/// where runc would silently drop them or CRIU would not do what they say.
/// </summary>
internal static class LazyMigrationFlags
{
    /// <summary>Sets the page server in <paramref name="opts"/>; returns the status fd, or -1.</summary>
    public static int Apply(ParsedArgs args, CriuOptions opts, bool preDump)
    {
        string? server = args.Get("page-server"), status = args.Get("status-fd");
        if (status == "-1") status = null; // runc's default: none
        if (server is { Length: > 0 }) opts.PageServer = PageServerAddress.Parse(server);
        if (!opts.LazyPages)
        {
            // runc reads --status-fd for a lazy dump only.
            if (status != null) throw new RuntimeError("--status-fd: only with --lazy-pages (it says when the lazy page server is ready)");
            return -1;
        }
        if (preDump) throw new RuntimeError("--lazy-pages: cannot pre-dump with --lazy-pages");
        // Without a port CRIU would serve the pages on one it picks and tells only its log.
        if (opts.PageServer == null) throw new RuntimeError("--lazy-pages: needs --page-server ADDRESS:PORT, the port the pages are served on");
        if (!opts.PageServer.IsWildcard)
            throw new RuntimeError($"--page-server {server}: with --lazy-pages CRIU serves the pages on every address of the host (it takes only the port): give 0.0.0.0:{opts.PageServer.Port} or [::]:{opts.PageServer.Port}");
        return status != null ? StatusFd.Parse(status) : -1;
    }
}
