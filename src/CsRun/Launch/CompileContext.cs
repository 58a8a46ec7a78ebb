using CsRun.Linux;
using CsRun.Spec;

namespace CsRun.Launch;

/// <summary>What the compiler needs besides config.json: host facts and command-line choices.</summary>
internal sealed record CompileContext
{
    public required Config Config { get; init; }
    public required string BundleDir { get; init; }
    /// <summary>Absolute rootfs path on the host.</summary>
    public required string Rootfs { get; init; }
    public bool NoPivot { get; init; }
    public bool NoNewKeyring { get; init; }
    public int PreserveFds { get; init; }
    /// <summary>O_PATH fd of the exec fifo, inherited by the child; -1 for none (exec).</summary>
    public int FifoFd { get; init; } = -1;
    /// <summary>Connected console socket for process.terminal, inherited by the child; -1 for none.</summary>
    public int ConsoleFd { get; init; } = -1;
    /// <summary>Capabilities the host can grant (csrun's own bounding set).</summary>
    public ulong HostBounding { get; init; } = ulong.MaxValue;
    /// <summary>The user namespace's /proc/PID/setgroups says "deny" (a rootless container mapping
    /// its caller's gid alone): setgroups(2) fails there, so it is not called.</summary>
    public bool SetgroupsDenied { get; init; }
    /// <summary>Compile the cgroup mount: controller → host path of the container's cgroup.</summary>
    public IReadOnlyDictionary<string, string> CgroupPaths { get; init; } = new Dictionary<string, string>();
    /// <summary>v1 `tasks` files the child writes "0" into itself (<see cref="CgroupJoinCompiler"/>).</summary>
    public IReadOnlyList<(string File, bool BestEffort)> CgroupSelfJoin { get; init; } = Array.Empty<(string, bool)>();
    /// <summary>csrun's CPU affinity, from which <see cref="CpuHandoff"/> moves the child; null: unknown.</summary>
    public byte[]? CpuMask { get; init; }
    /// <summary>The state root (--root), under which compiled seccomp filters are cached; null: no cache.</summary>
    public string? StateRoot { get; init; }
    public List<string> Warnings { get; } = new();
    /// <summary>The container runs in a user namespace, new or joined by path: no mknod, and bind
    /// sources the host must open for it.</summary>
    public bool InUserNamespace => Config.Linux?.Namespaces?.Any(n => n.Type == "user") == true;
    /// <summary>csrun itself runs in a user namespace (rootless podman's): no mknod there either.</summary>
    public static bool CsrunInUserNamespace => UserNamespace.CallerIsInOne;
}
