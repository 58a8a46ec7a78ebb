namespace CsRun.Cgroups;

/// <summary>
/// Statistics from a v2 cgroup, converted to runc's v1-shaped numbers as runc's fs2 driver does
/// (microseconds to nanoseconds, swap reported as memory+swap).
/// </summary>
internal static class V2StatsReader
{
    public static CgroupStats Read(string dir)
    {
        var stats = new CgroupStats();
        Cpu(dir, stats.Cpu);
        Memory(dir, stats.Memory);
        Pids(dir, stats.Pids);
        Io(dir, stats.Blkio);
        Hugetlb(dir, stats.Hugetlb);
        return stats;
    }

    /// <summary>cpu.stat exists even where the cpu controller is not enabled (usage only).</summary>
    static void Cpu(string dir, CpuStats c)
    {
        var s = StatParsers.KeyValues(CgroupFiles.TryRead(dir, "cpu.stat"));
        c.Usage.Total = s.GetValueOrDefault("usage_usec") * 1000;
        c.Usage.User = s.GetValueOrDefault("user_usec") * 1000;
        c.Usage.Kernel = s.GetValueOrDefault("system_usec") * 1000;
        c.Throttling.Periods = s.GetValueOrDefault("nr_periods");
        c.Throttling.ThrottledPeriods = s.GetValueOrDefault("nr_throttled");
        c.Throttling.ThrottledTime = s.GetValueOrDefault("throttled_usec") * 1000;
    }

    static void Memory(string dir, MemoryStats m)
    {
        if (CgroupFiles.TryRead(dir, "memory.stat") is not string stat) return;
        m.Raw = StatParsers.KeyValues(stat);
        m.Cache = m.Raw.GetValueOrDefault("file");
        m.Usage = Entry(dir, "memory");
        var swap = Entry(dir, "memory.swap");
        // v1 reports memsw (memory+swap); v2 counts swap alone: add memory to match, and drop
        // the peak, which cannot be summed.
        swap.Usage += m.Usage.Usage;
        if (swap.Limit != ulong.MaxValue) swap.Limit += m.Usage.Limit;
        swap.Max = 0;
        m.Swap = swap;
    }

    /// <summary>
    /// PREFIX.{current,max,peak}; failures are the "max" count in PREFIX.events. peak arrived in
    /// Linux 5.19 (memory) and 6.5 (swap).
    /// </summary>
    static MemoryEntry Entry(string dir, string prefix) => new()
    {
        Usage = CgroupFiles.TryReadUInt(dir, prefix + ".current") ?? 0,
        Limit = CgroupFiles.TryReadUInt(dir, prefix + ".max") ?? 0,
        Max = CgroupFiles.TryReadUInt(dir, prefix + ".peak") ?? 0,
        Failcnt = StatParsers.KeyValues(CgroupFiles.TryRead(dir, prefix + ".events")).GetValueOrDefault("max"),
    };

    /// <summary>Without the pids controller, count cgroup.procs and report no limit.</summary>
    static void Pids(string dir, PidsStats p)
    {
        if (CgroupFiles.Exists(dir, "pids.current")) V1StatsReader.Pids(dir, p);
        else p.Current = (ulong)CgroupDirs.Procs(dir, recursive: false).Count;
    }

    /// <summary>io.stat: "MAJ:MIN rbytes=N wbytes=N rios=N wios=N ..." mapped to v1's tables.</summary>
    static void Io(string dir, BlkioStats b)
    {
        if (CgroupFiles.TryRead(dir, "io.stat") is not string text) return;
        b.IoServiceBytesRecursive = new List<BlkioEntry>();
        b.IoServicedRecursive = new List<BlkioEntry>();
        foreach (string line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            string[] dev = f[0].Split(':');
            if (dev.Length != 2 || !StatParsers.TryNumber(dev[0], out ulong major) || !StatParsers.TryNumber(dev[1], out ulong minor)) continue;
            foreach (string kv in f.Skip(1))
            {
                string[] pair = kv.Split('=');
                if (pair.Length != 2 || !StatParsers.TryNumber(pair[1], out ulong value)) continue;
                var (table, op) = pair[0] switch
                {
                    "rbytes" => (b.IoServiceBytesRecursive, "Read"),
                    "wbytes" => (b.IoServiceBytesRecursive, "Write"),
                    "rios" => (b.IoServicedRecursive, "Read"),
                    "wios" => (b.IoServicedRecursive, "Write"),
                    _ => (null, ""),
                };
                table?.Add(new BlkioEntry { Major = major, Minor = minor, Op = op, Value = value });
            }
        }
    }

    static void Hugetlb(string dir, Dictionary<string, HugetlbStats> h)
    {
        foreach (string size in StatParsers.HugePageSizes())
        {
            string prefix = "hugetlb." + size;
            ulong? usage = CgroupFiles.TryReadUInt(dir, prefix + ".rsvd.current") ?? CgroupFiles.TryReadUInt(dir, prefix + ".current");
            if (usage == null) continue;
            h[size] = new HugetlbStats
            {
                Usage = usage.Value,
                Failcnt = StatParsers.KeyValues(CgroupFiles.TryRead(dir, prefix + ".events")).GetValueOrDefault("max"),
            };
        }
    }
}
