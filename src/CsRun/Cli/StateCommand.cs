namespace CsRun.Cli;

internal sealed class StateCommand : ICommand
{
    public string Name => "state";
    public string Usage => "state a container";
    public string ArgsUsage => "<container-id>";
    public FlagSpec[] Flags => Array.Empty<FlagSpec>();
    public int Run(GlobalOptions global, ParsedArgs args) => throw new RuntimeError("state: not implemented");
}
