namespace CsRun.Cli;

internal sealed class StartCommand : ICommand
{
    public string Name => "start";
    public string Usage => "start a container";
    public string ArgsUsage => "<container-id>";
    public FlagSpec[] Flags => Array.Empty<FlagSpec>();
    public int Run(GlobalOptions global, ParsedArgs args) => throw new RuntimeError("start: not implemented");
}
