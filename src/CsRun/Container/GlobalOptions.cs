namespace CsRun.Container;

/// <summary>Options that come before the command, as runc takes them (Cli's GlobalFlags parses them).</summary>
internal sealed record GlobalOptions
{
    public string Root { get; init; } = "/run/csrun";
    public bool SystemdCgroup { get; init; }
    public bool Debug { get; init; }
    /// <summary>The CRIU binary checkpoint and restore run (`criu swrk`): --criu, else "criu" in $PATH.</summary>
    public string Criu { get; init; } = "criu";

    /// <summary>--rootless as runc resolves it: cgroup permission errors are ignored where no
    /// resource needs the cgroup, and device rules are skipped (Cli's RootlessMode).</summary>
    public bool RootlessCgroups { get; init; }

    /// <summary>Not root on the host (runc's RootlessEUID): the config must bring its own user namespace.</summary>
    public static bool RootlessEuid => Linux.Identity.EffectiveUid != 0;
}
