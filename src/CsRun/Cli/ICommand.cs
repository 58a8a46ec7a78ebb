using CsRun.Container;

namespace CsRun.Cli;

internal interface ICommand
{
    string Name { get; }
    string Usage { get; }
    string ArgsUsage { get; }
    FlagSpec[] Flags { get; }
    /// <summary>exec takes the container's command after its id: stop parsing flags there.</summary>
    bool StopAtFirstPositional => false;
    int Run(GlobalOptions global, ParsedArgs args);
}
