namespace CsRun.Cli;

internal sealed class KillCommand : ICommand
{
    public string Name => "kill";
    public string Usage => "kill a container";
    public string ArgsUsage => "<container-id>";
    public FlagSpec[] Flags => Array.Empty<FlagSpec>();
    public int Run(GlobalOptions global, ParsedArgs args) => throw new RuntimeError("kill: not implemented");
}
