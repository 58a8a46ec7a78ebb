namespace CsRun.Cli;

internal sealed class ListCommand : ICommand
{
    public string Name => "list";
    public string Usage => "list a container";
    public string ArgsUsage => "<container-id>";
    public FlagSpec[] Flags => Array.Empty<FlagSpec>();
    public int Run(GlobalOptions global, ParsedArgs args) => throw new RuntimeError("list: not implemented");
}
