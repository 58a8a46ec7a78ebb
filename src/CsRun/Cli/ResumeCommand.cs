using CsRun.Container;

namespace CsRun.Cli;

internal sealed class ResumeCommand : ICommand
{
    public string Name => "resume";
    public string Usage => "resumes all processes that have been previously paused";
    public string ArgsUsage => "<container-id>";
    public FlagSpec[] Flags => Array.Empty<FlagSpec>();

    public int Run(GlobalOptions global, ParsedArgs args)
    {
        PauseResume.Resume(new StateStore(global.Root), OneId.From(args, Name));
        return 0;
    }
}
