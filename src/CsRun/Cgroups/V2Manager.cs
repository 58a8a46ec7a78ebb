using CsRun.Errors;
using CsRun.Linux;
using CsRun.Spec;

namespace CsRun.Cgroups;

/// <summary>cgroupfs on a v2 (unified) host: one directory, controllers enabled from the root down.</summary>
internal sealed class V2Manager : FsManager
{
    readonly string _dir;
    readonly string _mountPoint;

    /// <param name="dir">The container's cgroup.</param>
    /// <param name="mountPoint">The unified hierarchy's mount point, an ancestor of dir.</param>
    public V2Manager(string dir, string mountPoint)
    {
        _dir = dir;
        _mountPoint = mountPoint.TrimEnd('/');
    }

    public override IReadOnlyDictionary<string, string> Paths => new Dictionary<string, string> { [CgroupLayout.Unified] = _dir };

    protected override bool CanFreeze => true;

    /// <summary>Device rules are not attached: a BPF program needs real root (runc's rootless manager skips them).</summary>
    public bool Rootless { get; init; }

    /// <summary>
    /// Creates each level below the mount point and enables, in every level above the
    /// container's, all the controllers that level has (runc enables all, so that a later
    /// `update` finds them). A process may only join a "domain" cgroup when domain controllers
    /// (memory, io, cpu, hugetlb) are to be set, which an existing tree may refuse.
    /// </summary>
    public override void Create(Resources? resources)
    {
        if (!_dir.StartsWith(_mountPoint + "/", StringComparison.Ordinal))
            throw new RuntimeError($"invalid cgroup path {_dir}: not below {_mountPoint}");
        var created = new List<string>();
        try
        {
            string current = _mountPoint;
            foreach (string part in _dir[(_mountPoint.Length + 1)..].Split('/'))
            {
                EnableControllers(current);
                current += "/" + part;
                if (current != _dir && Made.Announce != null && !CgroupDirs.Exists(current)) Made.Announce(current);
                int r = KernelFile.Mkdir(current, 0x1ed /* 0755 */);
                if (r == 0) created.Add(current);
                else if (r != -Errno.EEXIST) throw new RuntimeError($"mkdir {current}: {Errno.Message(-r)}");
                CheckType(current, resources);
            }
            Made.AddRange(created);
        }
        catch (RuntimeError)
        {
            // Leave no half-made tree behind.
            for (int i = created.Count - 1; i >= 0; i--) KernelFile.Rmdir(created[i]);
            throw;
        }
    }

    static void EnableControllers(string dir)
    {
        string[] available = (CgroupFiles.TryRead(dir, "cgroup.controllers") ?? "").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (available.Length == 0) return;
        if (CgroupFiles.TryWrite(dir, "cgroup.subtree_control", "+" + string.Join(" +", available)) == 0) return;
        // One refused controller (delegation, threaded mode) fails the whole write: try each.
        // What stays disabled shows later as a named error from the write that needed it.
        foreach (string c in available) CgroupFiles.TryWrite(dir, "cgroup.subtree_control", "+" + c);
    }

    static void CheckType(string dir, Resources? r)
    {
        string type = (CgroupFiles.TryRead(dir, "cgroup.type") ?? "domain").Trim();
        var m = r?.Memory;
        var c = r?.Cpu;
        bool domain = (m?.Limit ?? 0) != 0 || (m?.Swap ?? 0) != 0 || (m?.Reservation ?? 0) != 0
            || r?.BlockIo != null || r?.HugepageLimits is { Count: > 0 }
            || (c?.Shares ?? 0) != 0 || (c?.Quota ?? 0) != 0 || (c?.Period ?? 0) != 0 || c?.Burst != null || c?.Idle != null;
        switch (type)
        {
            // Processes in a parent made this cgroup invalid as a domain; threaded still works
            // for the thread-aware controllers (cpuset, pids, perf_event).
            case "domain invalid" when domain:
                throw new RuntimeError($"cannot enter cgroupv2 \"{dir}\" with domain controllers -- it is in an invalid state");
            case "domain invalid":
                CgroupFiles.TryWrite(dir, "cgroup.type", "threaded");
                break;
            case "domain threaded" or "threaded" when domain:
                throw new RuntimeError($"cannot enter cgroupv2 \"{dir}\" with domain controllers -- it is in {type} mode");
        }
    }

    public override void AddProcess(int pid, CgroupJoined already = CgroupJoined.None)
    {
        if ((already & CgroupJoined.CloneDir) == 0) CgroupDirs.Join(_dir, pid);
    }

    public override string? CloneIntoDir => _dir;

    /// <summary>In runc's order, raw unified values last so that they win.</summary>
    public override void Apply(Resources? r)
    {
        if (r != null) Lost.Write(CgroupLayout.Unified, _dir, _ => ApplyAll(r));
    }

    void ApplyAll(Resources r)
    {
        PidsWriter.Apply(_dir, r.Pids);
        MemoryWriter.V2(_dir, r.Memory);
        BlockIoWriter.V2(_dir, r.BlockIo);
        CpuWriter.V2(_dir, r.Cpu);
        if (!Rootless) DevicesWriter.V2(_dir, r.Devices);
        CpusetWriter.V2(_dir, r.Cpu);
        HugetlbWriter.V2(_dir, r.HugepageLimits);
        RdmaWriter.Apply(_dir, r.Rdma);
        NetworkWriter.V2(r.Network);
        UnifiedWriter.V2(_dir, r.Unified);
    }

    public override IReadOnlyList<int> Pids() => CgroupDirs.Procs(_dir, recursive: true);

    public override void Freeze(bool frozen) => Freezer.SetV2(_dir, frozen);

    public override bool IsFrozen() => Freezer.IsFrozenV2(_dir);

    public override CgroupStats Stats() => V2StatsReader.Read(_dir);
}
