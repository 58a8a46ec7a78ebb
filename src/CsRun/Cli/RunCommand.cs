using CsRun.Container;
using CsRun.Errors;

namespace CsRun.Cli;

internal sealed class RunCommand : ICommand
{
    public string Name => "run";
    public string Usage => "create and run a container";
    public string ArgsUsage => "<container-id>";
    public FlagSpec[] Flags => CreateFlags.Flags.Concat(new[]
    {
        new FlagSpec("detach", "d", false, "detach from the container's process"),
        new FlagSpec("keep", null, false, "do not delete the container after it exits"),
        new FlagSpec("no-subreaper", null, false, "disable the use of the subreaper used to reap reparented processes"),
    }).ToArray();

    public int Run(GlobalOptions global, ParsedArgs args)
    {
        bool detach = args.Bool("detach");
        var req = CreateFlags.Request(args, keepSync: true) with { ProxyConsole = !detach };
        if (detach && args.Bool("keep")) throw new RuntimeError("--detach and --keep cannot both be used");
        return Runner.Run(global, req, detach, keep: args.Bool("keep"), subreaper: !args.Bool("no-subreaper"));
    }
}
