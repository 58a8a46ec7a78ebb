using System.Text.Json;

namespace CsRun.Cgroups;

/// <summary>
/// Writes <see cref="CgroupStats"/> as the members of runc's events "data", by hand so no
/// serializer metadata is built: members in declaration order under their runc names, zero
/// counters runc tags omitempty left out, empty lists and an empty "raw" left out (omitempty in
/// runc), and map keys sorted where Go sorts them (memory.stat's raw, hugetlb page sizes).
/// </summary>
internal static class StatsWriter
{
    public static void WriteMembers(Utf8JsonWriter w, CgroupStats s)
    {
        w.WriteStartObject("cpu");
        WriteCpuUsage(w, s.Cpu.Usage);
        WriteThrottling(w, s.Cpu.Throttling);
        w.WriteEndObject();
        WriteCpuset(w, s.Cpuset);
        WriteMemory(w, s.Memory);
        w.WriteStartObject("pids");
        WriteNonZero(w, "current", s.Pids.Current);
        WriteNonZero(w, "limit", s.Pids.Limit);
        w.WriteEndObject();
        WriteBlkio(w, s.Blkio);
        WriteHugetlb(w, s.Hugetlb);
    }

    static void WriteCpuUsage(Utf8JsonWriter w, CpuUsage u)
    {
        w.WriteStartObject("usage");
        WriteNonZero(w, "total", u.Total);
        WriteList(w, "percpu", u.Percpu, (w, v) => w.WriteNumberValue(v));
        WriteList(w, "percpu_kernel", u.PercpuKernel, (w, v) => w.WriteNumberValue(v));
        WriteList(w, "percpu_user", u.PercpuUser, (w, v) => w.WriteNumberValue(v));
        w.WriteNumber("kernel", u.Kernel);
        w.WriteNumber("user", u.User);
        w.WriteEndObject();
    }

    static void WriteThrottling(Utf8JsonWriter w, Throttling t)
    {
        w.WriteStartObject("throttling");
        WriteNonZero(w, "periods", t.Periods);
        WriteNonZero(w, "throttledPeriods", t.ThrottledPeriods);
        WriteNonZero(w, "throttledTime", t.ThrottledTime);
        w.WriteEndObject();
    }

    static void WriteCpuset(Utf8JsonWriter w, CpusetStats c)
    {
        w.WriteStartObject("cpuset");
        WriteList(w, "cpus", c.Cpus, (w, v) => w.WriteNumberValue(v));
        w.WriteNumber("cpu_exclusive", c.CpuExclusive);
        WriteList(w, "mems", c.Mems, (w, v) => w.WriteNumberValue(v));
        w.WriteNumber("mem_hardwall", c.MemHardwall);
        w.WriteNumber("mem_exclusive", c.MemExclusive);
        w.WriteNumber("memory_migrate", c.MemoryMigrate);
        w.WriteNumber("memory_spread_page", c.MemorySpreadPage);
        w.WriteNumber("memory_spread_slab", c.MemorySpreadSlab);
        w.WriteNumber("memory_pressure", c.MemoryPressure);
        w.WriteNumber("sched_load_balance", c.SchedLoadBalance);
        w.WriteNumber("sched_relax_domain_level", c.SchedRelaxDomainLevel);
        w.WriteEndObject();
    }

    static void WriteMemory(Utf8JsonWriter w, MemoryStats m)
    {
        w.WriteStartObject("memory");
        WriteNonZero(w, "cache", m.Cache);
        WriteMemoryEntry(w, "usage", m.Usage);
        WriteMemoryEntry(w, "swap", m.Swap);
        WriteMemoryEntry(w, "kernel", m.Kernel);
        WriteMemoryEntry(w, "kernelTCP", m.KernelTcp);
        if (m.Raw is { Count: > 0 } raw)
        {
            w.WriteStartObject("raw");
            foreach (var key in SortedKeys(raw)) w.WriteNumber(key, raw[key]);
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }

    static void WriteMemoryEntry(Utf8JsonWriter w, string name, MemoryEntry e)
    {
        w.WriteStartObject(name);
        w.WriteNumber("limit", e.Limit);
        WriteNonZero(w, "usage", e.Usage);
        WriteNonZero(w, "max", e.Max);
        w.WriteNumber("failcnt", e.Failcnt);
        w.WriteEndObject();
    }

    static void WriteBlkio(Utf8JsonWriter w, BlkioStats b)
    {
        w.WriteStartObject("blkio");
        WriteList(w, "ioServiceBytesRecursive", b.IoServiceBytesRecursive, WriteBlkioEntry);
        WriteList(w, "ioServicedRecursive", b.IoServicedRecursive, WriteBlkioEntry);
        WriteList(w, "ioQueueRecursive", b.IoQueuedRecursive, WriteBlkioEntry);
        WriteList(w, "ioServiceTimeRecursive", b.IoServiceTimeRecursive, WriteBlkioEntry);
        WriteList(w, "ioWaitTimeRecursive", b.IoWaitTimeRecursive, WriteBlkioEntry);
        WriteList(w, "ioMergedRecursive", b.IoMergedRecursive, WriteBlkioEntry);
        WriteList(w, "ioTimeRecursive", b.IoTimeRecursive, WriteBlkioEntry);
        WriteList(w, "sectorsRecursive", b.SectorsRecursive, WriteBlkioEntry);
        w.WriteEndObject();
    }

    static void WriteBlkioEntry(Utf8JsonWriter w, BlkioEntry e)
    {
        w.WriteStartObject();
        WriteNonZero(w, "major", e.Major);
        WriteNonZero(w, "minor", e.Minor);
        if (e.Op != null) w.WriteString("op", e.Op);
        WriteNonZero(w, "value", e.Value);
        w.WriteEndObject();
    }

    static void WriteHugetlb(Utf8JsonWriter w, Dictionary<string, HugetlbStats> hugetlb)
    {
        w.WriteStartObject("hugetlb");
        foreach (var size in SortedKeys(hugetlb))
        {
            var h = hugetlb[size];
            w.WriteStartObject(size);
            WriteNonZero(w, "usage", h.Usage);
            WriteNonZero(w, "max", h.Max);
            w.WriteNumber("failcnt", h.Failcnt);
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }

    /// <summary>A list runc tags omitempty: left out when null or empty.</summary>
    static void WriteList<T>(Utf8JsonWriter w, string name, List<T>? items, Action<Utf8JsonWriter, T> writeItem)
    {
        if (items is not { Count: > 0 }) return;
        w.WriteStartArray(name);
        foreach (var item in items) writeItem(w, item);
        w.WriteEndArray();
    }

    static void WriteNonZero(Utf8JsonWriter w, string name, ulong value)
    {
        if (value != 0) w.WriteNumber(name, value);
    }

    /// <summary>Go prints map keys in byte order; ordinal UTF-16 order is the same for the ASCII keys cgroups use.</summary>
    static List<string> SortedKeys<T>(Dictionary<string, T> map)
    {
        var keys = new List<string>(map.Keys);
        keys.Sort(string.CompareOrdinal);
        return keys;
    }
}
