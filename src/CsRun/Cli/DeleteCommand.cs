namespace CsRun.Cli;

internal sealed class DeleteCommand : ICommand
{
    public string Name => "delete";
    public string Usage => "delete a container";
    public string ArgsUsage => "<container-id>";
    public FlagSpec[] Flags => Array.Empty<FlagSpec>();
    public int Run(GlobalOptions global, ParsedArgs args) => throw new RuntimeError("delete: not implemented");
}
