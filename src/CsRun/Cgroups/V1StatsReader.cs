namespace CsRun.Cgroups;

/// <summary>
/// Statistics from v1 hierarchies, read as runc's fs driver reads them. A controller that is
/// not mounted, or a file an older kernel lacks, leaves its part at zero.
/// </summary>
internal static class V1StatsReader
{
    // cpuacct.stat counts USER_HZ ticks; USER_HZ is 100 on every Linux ABI.
    const ulong NanosPerTick = 1_000_000_000 / 100;

    public static CgroupStats Read(IReadOnlyDictionary<string, string> paths)
    {
        var stats = new CgroupStats();
        if (paths.TryGetValue("cpu", out string? cpu)) Throttling(cpu, stats.Cpu.Throttling);
        if (paths.TryGetValue("cpuacct", out string? cpuacct)) CpuUsage(cpuacct, stats.Cpu.Usage);
        if (paths.TryGetValue("cpuset", out string? cpuset)) Cpuset(cpuset, stats.Cpuset);
        if (paths.TryGetValue("memory", out string? memory)) Memory(memory, stats.Memory);
        if (paths.TryGetValue("pids", out string? pids)) Pids(pids, stats.Pids);
        if (paths.TryGetValue("blkio", out string? blkio)) Blkio(blkio, stats.Blkio);
        if (paths.TryGetValue("hugetlb", out string? hugetlb)) Hugetlb(hugetlb, stats.Hugetlb);
        return stats;
    }

    static void Throttling(string dir, Throttling t)
    {
        var s = StatParsers.KeyValues(CgroupFiles.TryRead(dir, "cpu.stat"));
        t.Periods = s.GetValueOrDefault("nr_periods");
        t.ThrottledPeriods = s.GetValueOrDefault("nr_throttled");
        t.ThrottledTime = s.GetValueOrDefault("throttled_time");
    }

    static void CpuUsage(string dir, CpuUsage u)
    {
        u.Total = CgroupFiles.TryReadUInt(dir, "cpuacct.usage") ?? 0;
        u.Percpu = StatParsers.Numbers(CgroupFiles.TryRead(dir, "cpuacct.usage_percpu"));
        var ticks = StatParsers.KeyValues(CgroupFiles.TryRead(dir, "cpuacct.stat"));
        u.User = ticks.GetValueOrDefault("user") * NanosPerTick;
        u.Kernel = ticks.GetValueOrDefault("system") * NanosPerTick;
        // cpuacct.usage_all: a "cpu user system" header, then one line per cpu (nanoseconds).
        string? all = CgroupFiles.TryRead(dir, "cpuacct.usage_all");
        if (all == null) return;
        u.PercpuUser = new List<ulong>();
        u.PercpuKernel = new List<ulong>();
        foreach (string line in all.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1))
        {
            var n = StatParsers.Numbers(line);
            if (n.Count < 3) continue;
            u.PercpuUser.Add(n[1]);
            u.PercpuKernel.Add(n[2]);
        }
    }

    static void Cpuset(string dir, CpusetStats c)
    {
        c.Cpus = StatParsers.CpuList(CgroupFiles.TryRead(dir, "cpuset.cpus"));
        c.Mems = StatParsers.CpuList(CgroupFiles.TryRead(dir, "cpuset.mems"));
        c.CpuExclusive = Flag(dir, "cpuset.cpu_exclusive");
        c.MemHardwall = Flag(dir, "cpuset.mem_hardwall");
        c.MemExclusive = Flag(dir, "cpuset.mem_exclusive");
        c.MemoryMigrate = Flag(dir, "cpuset.memory_migrate");
        c.MemorySpreadPage = Flag(dir, "cpuset.memory_spread_page");
        c.MemorySpreadSlab = Flag(dir, "cpuset.memory_spread_slab");
        c.MemoryPressure = Flag(dir, "cpuset.memory_pressure");
        c.SchedLoadBalance = Flag(dir, "cpuset.sched_load_balance");
        string? level = CgroupFiles.TryRead(dir, "cpuset.sched_relax_domain_level");
        c.SchedRelaxDomainLevel = long.TryParse(level?.Trim(), out long l) ? l : 0;
    }

    static ulong Flag(string dir, string file) => CgroupFiles.TryReadUInt(dir, file) ?? 0;

    static void Memory(string dir, MemoryStats m)
    {
        m.Raw = StatParsers.KeyValues(CgroupFiles.TryRead(dir, "memory.stat"));
        m.Cache = m.Raw.GetValueOrDefault("cache");
        m.Usage = Entry(dir, "memory");
        m.Swap = Entry(dir, "memory.memsw");
        m.Kernel = Entry(dir, "memory.kmem");
        m.KernelTcp = Entry(dir, "memory.kmem.tcp");
    }

    /// <summary>PREFIX.{usage_in_bytes,max_usage_in_bytes,failcnt,limit_in_bytes}; absent (no swap accounting, no kmem) reads as zero.</summary>
    static MemoryEntry Entry(string dir, string prefix) => new()
    {
        Usage = CgroupFiles.TryReadUInt(dir, prefix + ".usage_in_bytes") ?? 0,
        Max = CgroupFiles.TryReadUInt(dir, prefix + ".max_usage_in_bytes") ?? 0,
        Failcnt = CgroupFiles.TryReadUInt(dir, prefix + ".failcnt") ?? 0,
        Limit = CgroupFiles.TryReadUInt(dir, prefix + ".limit_in_bytes") ?? 0,
    };

    /// <summary>pids.max "max" is reported as 0 (no limit), as runc does.</summary>
    internal static void Pids(string dir, PidsStats p)
    {
        p.Current = CgroupFiles.TryReadUInt(dir, "pids.current") ?? 0;
        ulong max = CgroupFiles.TryReadUInt(dir, "pids.max") ?? 0;
        p.Limit = max == ulong.MaxValue ? 0 : max;
    }

    /// <summary>
    /// The first family of files this kernel has, in runc's order: BFQ, CFQ, then the throttle
    /// files (which count I/O whatever the scheduler) recursive, then not.
    /// </summary>
    static void Blkio(string dir, BlkioStats b)
    {
        foreach (string prefix in new[] { "blkio.bfq.", "blkio.", "blkio.throttle." })
        {
            string? bytes = CgroupFiles.TryRead(dir, prefix + "io_service_bytes_recursive");
            if (bytes == null) continue;
            b.IoServiceBytesRecursive = StatParsers.BlkioLines(bytes);
            b.IoServicedRecursive = Lines(dir, prefix + "io_serviced_recursive");
            if (prefix == "blkio.throttle.") return;
            b.IoQueuedRecursive = Lines(dir, prefix + "io_queued_recursive");
            b.IoServiceTimeRecursive = Lines(dir, prefix + "io_service_time_recursive");
            b.IoWaitTimeRecursive = Lines(dir, prefix + "io_wait_time_recursive");
            b.IoMergedRecursive = Lines(dir, prefix + "io_merged_recursive");
            b.IoTimeRecursive = Lines(dir, prefix + "time_recursive");
            b.SectorsRecursive = Lines(dir, prefix + "sectors_recursive");
            return;
        }
        b.IoServiceBytesRecursive = Lines(dir, "blkio.throttle.io_service_bytes");
        b.IoServicedRecursive = Lines(dir, "blkio.throttle.io_serviced");
    }

    static List<BlkioEntry>? Lines(string dir, string file) =>
        CgroupFiles.TryRead(dir, file) is string text ? StatParsers.BlkioLines(text) : null;

    static void Hugetlb(string dir, Dictionary<string, HugetlbStats> h)
    {
        foreach (string size in StatParsers.HugePageSizes())
        {
            string prefix = "hugetlb." + size;
            if (CgroupFiles.TryReadUInt(dir, prefix + ".usage_in_bytes") is not ulong usage) continue;
            h[size] = new HugetlbStats
            {
                Usage = usage,
                Max = CgroupFiles.TryReadUInt(dir, prefix + ".max_usage_in_bytes") ?? 0,
                Failcnt = CgroupFiles.TryReadUInt(dir, prefix + ".failcnt") ?? 0,
            };
        }
    }
}
