namespace CsRun.Cli;

internal sealed class RunCommand : ICommand
{
    public string Name => "run";
    public string Usage => "run a container";
    public string ArgsUsage => "<container-id>";
    public FlagSpec[] Flags => Array.Empty<FlagSpec>();
    public int Run(GlobalOptions global, ParsedArgs args) => throw new RuntimeError("run: not implemented");
}
