using CsRun.Spec;

namespace CsRun.Container;

/// <summary>What `exec` was asked for: the process (already merged from --process or the flags) and how to run it.</summary>
internal sealed record ExecRequest
{
    public required string Id { get; init; }
    public required ProcessConfig Process { get; init; }
    public bool Detach { get; init; }
    public string? PidFile { get; init; }
    public int PreserveFds { get; init; }
    public bool IgnorePaused { get; init; }
    public string? ConsoleSocket { get; init; }
    /// <summary>--pidfd-socket: where a pidfd of the process is sent (<see cref="PidfdSocket"/>).</summary>
    public string? PidfdSocket { get; init; }
    /// <summary>`--cgroup`: controller ("" for every hierarchy) → sub-cgroup path (<see cref="Cgroups.SubCgroups"/>).</summary>
    public IReadOnlyDictionary<string, string> SubCgroups { get; init; } = new Dictionary<string, string>();
}
