using CsRun.Container;

namespace CsRun.Cli;

internal sealed class DeleteCommand : ICommand
{
    public string Name => "delete";
    public string Usage => "delete any resources held by the container often used with detached container";
    public string ArgsUsage => "<container-id>";
    public FlagSpec[] Flags => new[] { new FlagSpec("force", "f", false, "Forcibly deletes the container if it is still running (uses SIGKILL)") };

    public int Run(GlobalOptions global, ParsedArgs args)
    {
        Lifecycle.Delete(new StateStore(global.Root), OneId.From(args, Name), args.Bool("force"));
        return 0;
    }
}
