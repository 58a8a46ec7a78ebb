using CsRun.Container;

namespace CsRun.Cli;

internal sealed class StartCommand : ICommand
{
    public string Name => "start";
    public string Usage => "executes the user defined process in a created container";
    public string ArgsUsage => "<container-id>";
    public FlagSpec[] Flags => Array.Empty<FlagSpec>();

    public int Run(GlobalOptions global, ParsedArgs args)
    {
        Lifecycle.Start(new StateStore(global.Root), OneId.From(args, Name));
        return 0;
    }
}
