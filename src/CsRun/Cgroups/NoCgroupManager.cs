using CsRun.Errors;
using CsRun.Spec;

namespace CsRun.Cgroups;

/// <summary>
/// A rootless container with no cgroup at all (the caller owns none, and no linux.cgroupsPath
/// asked for one): its processes are found without a cgroup (<see cref="Container.Processes"/>),
/// pause is runc's error, and a resource fails naming why it has nowhere to go.
/// </summary>
internal sealed class NoCgroupManager : ICgroupManager
{
    readonly ICgroupManager? _wouldBe;

    /// <param name="wouldBe">The manager the container would have had, told of what it lost
    /// (<see cref="LostCgroups"/>): its Apply writes nothing where nothing is asked, and fails
    /// naming why where something is.</param>
    public NoCgroupManager(FsManager? wouldBe = null) => _wouldBe = wouldBe;

    public LostCgroups Lost => (_wouldBe as FsManager)?.Lost ?? new LostCgroups();

    public IReadOnlyDictionary<string, string> Paths { get; } = new Dictionary<string, string>();
    public IReadOnlyList<(string File, bool BestEffort)> SelfJoinFiles => Array.Empty<(string, bool)>();
    public string? CloneIntoDir => null;
    public void Create(Resources? resources) { }
    public void AddProcess(int pid, CgroupJoined already = CgroupJoined.None) { }
    public void PrepareCloneDir() { }
    public void AnnounceParents(Action<string> announce) { }

    /// <summary>Writes nothing where nothing is asked; a limit fails naming why (`update` of a
    /// saved cgroup-less container has no would-be manager: one that has none anywhere).</summary>
    public void Apply(Resources? resources) => (_wouldBe ?? Nowhere()).Apply(resources);

    static V1Manager Nowhere()
    {
        var lost = new LostCgroups();
        foreach (var key in new[] { "cpuset", "memory", "cpu", "pids", "blkio", "hugetlb", "net_cls", "rdma" })
            lost.Add(key, "/nonexistent/cgroup", "the container was created without one", "");
        return new V1Manager(new Dictionary<string, string>()) { Lost = lost, Rootless = true };
    }

    public IReadOnlyList<int> Pids() => Array.Empty<int>();

    /// <summary>runc's words for a container without a freezer cgroup.</summary>
    public void Freeze(bool frozen) => throw new RuntimeError("cannot toggle freezer: cgroups not configured for container");

    public bool IsFrozen() => false;
    public void SignalAll(int signal) { }
    public CgroupStats Stats() => new();
    public void Destroy() { }
}
