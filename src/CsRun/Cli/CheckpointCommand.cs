using CsRun.Container;
using CsRun.Criu;
using CsRun.Errors;

namespace CsRun.Cli;

internal sealed class CheckpointCommand : ICommand
{
    public string Name => "checkpoint";
    public string Usage => "checkpoint a running container";
    public string ArgsUsage => "<container-id>";
    public FlagSpec[] Flags => new FlagSpec[]
    {
        new("parent-path", null, true, "path for previous criu image files in pre-dump"),
        new("leave-running", null, false, "leave the process running after checkpointing"),
        new("status-fd", null, true, "criu writes \\0 to this FD once lazy-pages is ready (default: -1)"),
        new("page-server", null, true, "ADDRESS:PORT of the page server"),
        new("pre-dump", null, false, "dump container's memory information only, leave the container running after this"),
    }.Concat(CriuFlags.Shared).ToArray();

    public int Run(GlobalOptions global, ParsedArgs args)
    {
        string id = OneId.From(args, Name);
        var opts = CriuFlags.Options(args, "dump.log");
        opts.LeaveRunning = args.Bool("leave-running");
        bool preDump = args.Bool("pre-dump");
        int statusFd = LazyMigrationFlags.Apply(args, opts, preDump);
        var req = new CheckpointRequest(id, CriuFlags.ImagePath(args), CriuFlags.WorkPath(args), args.Get("parent-path") is { Length: > 0 } p ? p : null, preDump, statusFd);
        Checkpointer.Checkpoint(global, req, opts);
        return 0;
    }
}
