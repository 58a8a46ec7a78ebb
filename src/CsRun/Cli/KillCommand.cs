using CsRun.Container;
using CsRun.Errors;

namespace CsRun.Cli;

internal sealed class KillCommand : ICommand
{
    public string Name => "kill";
    public string Usage => "kill sends the specified signal (default: SIGTERM) to the container's init process";
    public string ArgsUsage => "<container-id> [signal]";
    public FlagSpec[] Flags => new[] { new FlagSpec("all", "a", false, "send the specified signal to all processes inside the container") };

    public int Run(GlobalOptions global, ParsedArgs args)
    {
        if (args.Positional.Count is < 1 or > 2) throw new RuntimeError("\"kill\" requires a minimum of 1 and a maximum of 2 arguments");
        int sig = Signals.Parse(args.Positional.Count == 2 ? args.Positional[1] : "SIGTERM");
        Lifecycle.Kill(new StateStore(global.Root), args.Positional[0], sig, args.Bool("all"));
        return 0;
    }
}
