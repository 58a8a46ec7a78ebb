using CsRun.Container;
using CsRun.Diagnostics;

namespace CsRun.Cli;

internal sealed class StateCommand : ICommand
{
    public string Name => "state";
    public string Usage => "output the state of a container";
    public string ArgsUsage => "<container-id>";
    public FlagSpec[] Flags => Array.Empty<FlagSpec>();

    public int Run(GlobalOptions global, ParsedArgs args)
    {
        var store = new StateStore(global.Root);
        var s = store.Load(OneId.From(args, Name));
        Output.OutLine(PublicStateJson.Of(ContainerStatus.Public(store, s)));
        return 0;
    }
}
