using CsRun.Container;
using CsRun.Criu;
using CsRun.Errors;

namespace CsRun.Cli;

internal sealed class RestoreCommand : ICommand
{
    public string Name => "restore";
    public string Usage => "restore a container from a previous checkpoint";
    public string ArgsUsage => "<container-id>";
    public FlagSpec[] Flags => new FlagSpec[]
    {
        new("console-socket", null, true, "path to an AF_UNIX socket which will receive a file descriptor referencing the master end of the console's pseudoterminal"),
        new("bundle", "b", true, "path to the root of the bundle directory"),
        new("detach", "d", false, "detach from the container's process"),
        new("pid-file", null, true, "specify the file to write the process id to"),
        new("no-subreaper", null, false, "disable the use of the subreaper used to reap reparented processes"),
        new("no-pivot", null, false, "do not use pivot root to jail process inside rootfs (refused: a restore makes no pivot_root)"),
        new("lsm-profile", null, true, "Specify an LSM profile to be used during restore (not supported by csrun)"),
        new("lsm-mount-context", null, true, "Specify an LSM mount context to be used during restore (not supported by csrun)"),
    }.Concat(CriuFlags.Shared).ToArray();

    public int Run(GlobalOptions global, ParsedArgs args)
    {
        string id = OneId.From(args, Name);
        // CRIU rebuilds the mount namespace as it was dumped: there is no pivot_root to skip.
        if (args.Bool("no-pivot")) throw new RuntimeError("--no-pivot: a restore makes no pivot_root (CRIU rebuilds the container's mounts as dumped)");
        if (args.Get("lsm-profile") != null) throw new RuntimeError("--lsm-profile: not supported by csrun");
        if (args.Get("lsm-mount-context") != null) throw new RuntimeError("--lsm-mount-context: not supported by csrun");
        var opts = CriuFlags.Options(args, "restore.log");
        var req = new RestoreRequest(id, args.Get("bundle") is { Length: > 0 } b ? b : Directory.GetCurrentDirectory(),
            CriuFlags.ImagePath(args), CriuFlags.WorkPath(args), args.Get("pid-file"), args.Get("console-socket"),
            args.Bool("detach"), !args.Bool("no-subreaper"));
        try
        {
            return Restorer.Restore(global, req, opts);
        }
        catch (RuntimeError e)
        {
            throw new RuntimeError($"csrun restore failed: {e.Message}", e);
        }
    }
}
