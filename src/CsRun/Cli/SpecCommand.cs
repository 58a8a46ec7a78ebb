namespace CsRun.Cli;

internal sealed class SpecCommand : ICommand
{
    public string Name => "spec";
    public string Usage => "spec a container";
    public string ArgsUsage => "<container-id>";
    public FlagSpec[] Flags => Array.Empty<FlagSpec>();
    public int Run(GlobalOptions global, ParsedArgs args) => throw new RuntimeError("spec: not implemented");
}
