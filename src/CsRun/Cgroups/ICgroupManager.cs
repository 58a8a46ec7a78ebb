using CsRun.Spec;

namespace CsRun.Cgroups;

/// <summary>
/// One container's cgroup, whatever the host's layout (v1, v2) or driver (cgroupfs, systemd).
/// The create path calls Create, AddProcess, Apply in that order; delete calls Destroy.
/// </summary>
internal interface ICgroupManager
{
    /// <summary>Controller (v1) or "" (v2) to absolute directory; saved in the state file.</summary>
    IReadOnlyDictionary<string, string> Paths { get; }

    /// <summary>Make the cgroup directories (idempotent). Throws RuntimeError naming the path and errno.</summary>
    void Create();

    /// <summary>Move a process into the cgroup (cgroup.procs in every hierarchy).</summary>
    void AddProcess(int pid);

    /// <summary>Write linux.resources; fields the host lacks give a RuntimeError naming the field.</summary>
    void Apply(Resources? resources);

    /// <summary>Pids of every process in the cgroup.</summary>
    IReadOnlyList<int> Pids();

    /// <summary>Freeze or thaw every process of the cgroup.</summary>
    void Freeze(bool frozen);

    bool IsFrozen();

    /// <summary>SIGKILL what is left, wait for it, remove the directories. Never throws for a missing cgroup.</summary>
    void Destroy();
}
