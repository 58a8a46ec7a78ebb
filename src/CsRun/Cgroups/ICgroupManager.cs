using CsRun.Spec;

namespace CsRun.Cgroups;

/// <summary>
/// One container's cgroup, whatever the host's layout (v1, v2) or driver (cgroupfs, systemd).
/// The create path calls Create, AddProcess, Apply in that order; delete calls Destroy.
/// </summary>
internal interface ICgroupManager
{
    /// <summary>
    /// Hierarchy key to absolute directory: each v1 controller ("memory", "cpu", ...), plus
    /// "name=systemd" and "" (the unified hierarchy) where present; on v2 only "". Saved in
    /// the state file; <see cref="CgroupManager.FromPaths"/> rebuilds the manager from it.
    /// </summary>
    IReadOnlyDictionary<string, string> Paths { get; }

    /// <summary>
    /// Makes the cgroup directories (idempotent) and sets what must precede the first process:
    /// v1 cpuset cpus/mems (an empty cpuset refuses processes) and the realtime CPU budget
    /// (a SCHED_RR process cannot join a cgroup without one). Throws RuntimeError naming path and errno.
    /// </summary>
    void Create(Resources? resources);

    /// <summary>
    /// Moves a process into the cgroup (cgroup.procs in every hierarchy), except where
    /// <paramref name="already"/> says it is: cloned into <see cref="CloneIntoDir"/>, or joined
    /// by itself through <see cref="SelfJoinFiles"/>.
    /// </summary>
    void AddProcess(int pid, CgroupJoined already = CgroupJoined.None);

    /// <summary>
    /// v1 `tasks` files a new single-threaded child writes "0" into itself (BestEffort: a failure
    /// there is ignored). Moving oneself skips the global lock a cgroup.procs write takes for
    /// another process, whose first writer waits for an RCU grace period (bench/cgroup-join.sh:
    /// 15 ms against 0.3 ms here). Empty where there are none (v2, systemd).
    /// </summary>
    IReadOnlyList<(string File, bool BestEffort)> SelfJoinFiles { get; }

    /// <summary>
    /// The cgroup v2 directory a child can be cloned straight into (clone3 CLONE_INTO_CGROUP),
    /// which makes AddProcess unnecessary and skips the migration's wait for an RCU grace
    /// period; on hybrid hosts the unified one; null where there is none (v1, systemd's scope).
    /// </summary>
    string? CloneIntoDir { get; }

    /// <summary>
    /// Makes <see cref="CloneIntoDir"/> exist when <see cref="Create"/> runs only after the clone
    /// (the v1 self-join path: the child sets itself up meanwhile). Best effort: without the
    /// directory the child is cloned plain and AddProcess joins it.
    /// </summary>
    void PrepareCloneDir();

    /// <summary>
    /// Has <see cref="Create"/> tell <paramref name="announce"/> of each directory above the
    /// container's cgroup it is about to make, before the mkdir (create's journal).
    /// </summary>
    void AnnounceParents(Action<string> announce);

    /// <summary>Writes linux.resources; a failed write gives a RuntimeError naming the field, file and errno.</summary>
    void Apply(Resources? resources);

    /// <summary>Pids of every process in the cgroup and its sub-cgroups.</summary>
    IReadOnlyList<int> Pids();

    /// <summary>Freezes (returning once the kernel reports it frozen) or thaws every process.</summary>
    void Freeze(bool frozen);

    bool IsFrozen();

    /// <summary>Sends the signal to every process, frozen meanwhile so that none can fork away.</summary>
    void SignalAll(int signal);

    /// <summary>Usage counters, in the shape `runc events --stats` prints.</summary>
    CgroupStats Stats();

    /// <summary>SIGKILLs what is left, waits for it, removes the directories. Never throws for a missing cgroup.</summary>
    void Destroy();
}

/// <summary>How much of a join the new process has done by itself.</summary>
[Flags]
internal enum CgroupJoined
{
    None = 0,
    /// <summary>Born in <see cref="ICgroupManager.CloneIntoDir"/> (clone3 CLONE_INTO_CGROUP).</summary>
    CloneDir = 1,
    /// <summary>Wrote "0" into every one of <see cref="ICgroupManager.SelfJoinFiles"/>.</summary>
    SelfJoinFiles = 2,
}
