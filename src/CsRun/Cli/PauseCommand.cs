using CsRun.Container;

namespace CsRun.Cli;

internal sealed class PauseCommand : ICommand
{
    public string Name => "pause";
    public string Usage => "pause suspends all processes inside the container";
    public string ArgsUsage => "<container-id>";
    public FlagSpec[] Flags => Array.Empty<FlagSpec>();

    public int Run(GlobalOptions global, ParsedArgs args)
    {
        PauseResume.Pause(new StateStore(global.Root), OneId.From(args, Name));
        return 0;
    }
}
