using CsRun.Container;
using CsRun.Errors;

namespace CsRun.Cli;

internal sealed class EventsCommand : ICommand
{
    public string Name => "events";
    public string Usage => "display container events such as OOM notifications, cpu, memory, and IO usage statistics";
    public string ArgsUsage => "<container-id>";
    public FlagSpec[] Flags => new[]
    {
        new FlagSpec("interval", null, true, "set the stats collection interval (default: 5s)"),
        new FlagSpec("stats", null, false, "display the container's stats then exit"),
    };

    public int Run(GlobalOptions global, ParsedArgs args)
    {
        string id = OneId.From(args, Name);
        string text = args.Get("interval") ?? "5s";
        double nanos = GoDuration.Parse(text) ?? throw new RuntimeError($"invalid value \"{text}\" for flag -interval: parse error");
        if (nanos <= 0) throw new RuntimeError("duration interval must be greater than 0");
        var store = new StateStore(global.Root);
        if (args.Bool("stats")) EventStream.Stats(store, id);
        else EventStream.Stream(store, id, TimeSpan.FromTicks(Math.Max(1, (long)(nanos / 100))));
        return 0;
    }
}
