using CsRun.Criu;
using CsRun.Errors;

namespace CsRun.Cli;

/// <summary>The flags checkpoint and restore share (runc's), and the options they set.</summary>
internal static class CriuFlags
{
    public static readonly FlagSpec[] Shared =
    {
        new("image-path", null, true, "path for saving criu image files"),
        new("work-path", null, true, "path for saving work files and logs"),
        new("tcp-established", null, false, "allow open tcp connections"),
        new("ext-unix-sk", null, false, "allow external unix sockets"),
        new("shell-job", null, false, "allow shell jobs"),
        new("file-locks", null, false, "handle file locks, for safety"),
        new("manage-cgroups-mode", null, true, "cgroups mode: soft|full|strict|ignore (default: soft)"),
        new("empty-ns", null, true, "create a namespace, but don't restore its properties", Repeatable: true),
        new("auto-dedup", null, false, "enable auto deduplication of memory images"),
        new("lazy-pages", null, false, "use userfaultfd to lazily restore memory pages"),
    };

    /// <summary>The options both commands take from the flags.</summary>
    public static CriuOptions Options(ParsedArgs args, string logFile)
    {
        var opts = new CriuOptions
        {
            LogFile = logFile,
            TcpEstablished = args.Bool("tcp-established"),
            ExtUnixSk = args.Bool("ext-unix-sk"),
            ShellJob = args.Bool("shell-job"),
            FileLocks = args.Bool("file-locks"),
            AutoDedup = args.Bool("auto-dedup"),
            LazyPages = args.Bool("lazy-pages"),
            ManageCgroupsMode = CriuOptions.CgroupMode(args.Get("manage-cgroups-mode")),
            OrphanPtsMaster = true,
        };
        foreach (var ns in args.GetAll("empty-ns"))
        {
            // CRIU can leave out only a network namespace's contents (its interfaces and routes).
            if (ns != "network") throw new RuntimeError($"--empty-ns {ns}: namespace {ns} is not supported (CRIU handles network only)");
            opts.EmptyNs |= 0x40000000; // CLONE_NEWNET
        }
        return opts;
    }

    /// <summary>runc's default image directory: ./checkpoint.</summary>
    public static string ImagePath(ParsedArgs args) =>
        Path.GetFullPath(args.Get("image-path") is { Length: > 0 } p ? p : Path.Combine(Directory.GetCurrentDirectory(), "checkpoint"));

    public static string? WorkPath(ParsedArgs args) => args.Get("work-path") is { Length: > 0 } p ? Path.GetFullPath(p) : null;
}
