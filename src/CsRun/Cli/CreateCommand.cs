using CsRun.Container;
using CsRun.Errors;

namespace CsRun.Cli;

internal sealed class CreateCommand : ICommand
{
    public string Name => "create";
    public string Usage => "create a container";
    public string ArgsUsage => "<container-id>";
    public FlagSpec[] Flags => CreateFlags.Flags;

    public int Run(GlobalOptions global, ParsedArgs args)
    {
        var req = CreateFlags.Request(args, keepSync: false);
        try
        {
            Creator.Create(global, req);
        }
        catch (RuntimeError e)
        {
            throw new RuntimeError($"csrun create failed: {e.Message}", e);
        }
        return 0;
    }
}
