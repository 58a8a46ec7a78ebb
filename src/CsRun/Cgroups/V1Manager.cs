using CsRun.Diagnostics;
using CsRun.Errors;
using CsRun.Spec;

namespace CsRun.Cgroups;

/// <summary>
/// cgroupfs on v1 (and hybrid) hosts: one directory per hierarchy, each controller's
/// resources written to its own.
/// </summary>
internal sealed class V1Manager : FsManager
{
    readonly Dictionary<string, string> _paths;

    public V1Manager(IReadOnlyDictionary<string, string> paths) => _paths = new Dictionary<string, string>(paths);

    public override IReadOnlyDictionary<string, string> Paths => _paths;

    protected override bool CanFreeze => _paths.ContainsKey("freezer");

    /// <summary>Device rules are not written: devices.allow and deny need real root (runc's
    /// rootless manager ignores their errors; csrun does not try).</summary>
    public bool Rootless { get; init; }


    string? Dir(string key) => _paths.TryGetValue(key, out string? dir) ? dir : null;

    /// <summary>
    /// The hybrid unified hierarchy and name=systemd carry no limits; they are joined so that
    /// tools see the container where it is, and a failure there is not fatal (runc alike).
    /// </summary>
    static bool BestEffort(string key) => key == CgroupLayout.Unified || key.StartsWith("name=", StringComparison.Ordinal);

    public override void Create(Resources? resources)
    {
        foreach (var (key, dir) in _paths)
        {
            if (BestEffort(key))
            {
                MakeBestEffort(dir);
                continue;
            }
            if (key == "cpuset") CpusetWriter.PrepareV1(dir, resources?.Cpu, Made);
            else CgroupDirs.MakeAll(dir, Made);
            if (key == "cpu") CpuWriter.Realtime(dir, resources?.Cpu);
        }
    }

    /// <summary>The hybrid unified hierarchy is the kernel's default one: a child can be cloned into it.</summary>
    public override string? CloneIntoDir => Dir(CgroupLayout.Unified);

    public override void PrepareCloneDir()
    {
        if (CloneIntoDir is string dir) MakeBestEffort(dir);
    }

    void MakeBestEffort(string dir)
    {
        try { CgroupDirs.MakeAll(dir, Made); }
        catch (RuntimeError e) { Log.Debug(e.Message); }
    }

    public override IReadOnlyList<(string File, bool BestEffort)> SelfJoinFiles =>
        V1Dirs().Select(d => (d.Dir + "/tasks", BestEffort(d.Key))).ToList();

    /// <summary>Every v1 hierarchy, once per directory: controllers mounted together (cpu,cpuacct) share one.</summary>
    IEnumerable<(string Key, string Dir)> V1Dirs()
    {
        var seen = new HashSet<string>();
        foreach (var (key, dir) in _paths)
            if (key != CgroupLayout.Unified && seen.Add(dir)) yield return (key, dir);
    }

    public override void AddProcess(int pid, CgroupJoined already = CgroupJoined.None)
    {
        if ((already & CgroupJoined.CloneDir) == 0 && CloneIntoDir is string unified) Join(CgroupLayout.Unified, unified, pid);
        if ((already & CgroupJoined.SelfJoinFiles) != 0) return;
        foreach (var (key, dir) in V1Dirs()) Join(key, dir, pid);
    }

    static void Join(string key, string dir, int pid)
    {
        try
        {
            CgroupDirs.Join(dir, pid);
        }
        catch (RuntimeError e) when (BestEffort(key))
        {
            Log.Debug(e.Message);
        }
    }

    /// <summary>In runc's order; the first failure stops the rest.</summary>
    public override void Apply(Resources? r)
    {
        if (r == null) return;
        UnifiedWriter.V1(r.Unified);
        Write("cpuset", d => CpusetWriter.V1(d, r.Cpu));
        if (!Rootless) DevicesWriter.V1(Dir("devices"), r.Devices);
        Write("memory", d => MemoryWriter.V1(d, r.Memory));
        Write("cpu", d => CpuWriter.V1(d, r.Cpu));
        Write("pids", d => PidsWriter.Apply(d, r.Pids));
        Write("blkio", d => BlockIoWriter.V1(d, r.BlockIo));
        Write("hugetlb", d => HugetlbWriter.V1(d, r.HugepageLimits));
        Write("net_cls", d => NetworkWriter.V1(d, Dir("net_prio"), r.Network));
        Write("rdma", d => RdmaWriter.Apply(d, r.Rdma));
    }

    void Write(string key, Action<string?> writer) => Lost.Write(key, Dir(key), writer);

    /// <summary>Every hierarchy holds the same processes; pids or memory are nearly always mounted.</summary>
    public override IReadOnlyList<int> Pids()
    {
        string? dir = Dir("pids") ?? Dir("memory") ?? _paths.Where(p => !BestEffort(p.Key)).Select(p => p.Value).FirstOrDefault();
        return dir == null ? Array.Empty<int>() : CgroupDirs.Procs(dir, recursive: true);
    }

    public override void Freeze(bool frozen)
    {
        string dir = Dir("freezer") ?? throw new RuntimeError("cannot toggle freezer: cgroups not configured for container");
        if (frozen) Freezer.FreezeV1(dir);
        else Freezer.ThawV1(dir);
    }

    public override bool IsFrozen() => Dir("freezer") is string dir && Freezer.IsFrozenV1(dir);

    public override CgroupStats Stats() => V1StatsReader.Read(_paths);
}
