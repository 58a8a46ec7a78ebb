namespace CsRun.Cli;

internal sealed class CreateCommand : ICommand
{
    public string Name => "create";
    public string Usage => "create a container";
    public string ArgsUsage => "<container-id>";
    public FlagSpec[] Flags => Array.Empty<FlagSpec>();
    public int Run(GlobalOptions global, ParsedArgs args) => throw new RuntimeError("create: not implemented");
}
