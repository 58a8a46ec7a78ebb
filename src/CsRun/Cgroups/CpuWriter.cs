using CsRun.Diagnostics;
using CsRun.Errors;
using CsRun.Linux;
using CsRun.Spec;

namespace CsRun.Cgroups;

/// <summary>linux.resources.cpu, except cpus/mems (<see cref="CpusetWriter"/>).</summary>
internal static class CpuWriter
{
    const string Field = "linux.resources.cpu";

    public static void V1(string? dir, CpuResources? c)
    {
        if (c == null) return;
        bool any = (c.Shares ?? 0) != 0 || (c.Period ?? 0) != 0 || (c.Quota ?? 0) != 0 || c.Burst != null || c.Idle != null
            || (c.RealtimePeriod ?? 0) != 0 || (c.RealtimeRuntime ?? 0) != 0;
        if (!any) return;
        string d = CgroupFiles.Need(dir, "cpu", Field);

        bool idleAfter = IdleFirst(d, c);
        if (c.Shares is ulong shares && shares != 0 && !idleAfter)
        {
            CgroupFiles.Write(d, "cpu.shares", CgroupFiles.Num(shares), Field + ".shares");
            // The kernel clamps out-of-range shares silently: read back to tell the user.
            ulong actual = CgroupFiles.ReadUInt(d, "cpu.shares");
            if (shares > actual) throw new RuntimeError($"{Field}.shares: the maximum allowed cpu-shares is {actual}");
            if (shares < actual) throw new RuntimeError($"{Field}.shares: the minimum allowed cpu-shares is {actual}");
        }

        long quota = c.Quota ?? 0;
        // A period or burst the kernel refuses (EINVAL) against the OLD quota may fit the new
        // one: then it is written again after the quota.
        string? period = WriteBeforeQuota(d, "cpu.cfs_period_us", c.Period is ulong p && p != 0 ? CgroupFiles.Num(p) : null, quota, Field + ".period");
        string? burst = c.Burst is ulong b ? CgroupFiles.Num(b) : null;
        if (burst != null && !CgroupFiles.Exists(d, "cpu.cfs_burst_us"))
        {
            // Documented skip: CPU burst arrived in Linux 5.14.
            Log.Warn($"{Field}.burst: ignored: {CgroupFiles.PathOf(d, "cpu.cfs_burst_us")} does not exist");
            burst = null;
        }
        burst = WriteBeforeQuota(d, "cpu.cfs_burst_us", burst, quota, Field + ".burst");
        if (quota != 0)
        {
            CgroupFiles.Write(d, "cpu.cfs_quota_us", CgroupFiles.Num(quota), Field + ".quota");
            if (period != null) CgroupFiles.Write(d, "cpu.cfs_period_us", period, Field + ".period");
            if (burst != null) CgroupFiles.Write(d, "cpu.cfs_burst_us", burst, Field + ".burst");
        }
        IdleLast(d, c);
        Realtime(d, c);
    }

    /// <summary>
    /// cpu.idle before the shares (weight) when it turns idle off. The kernel refuses shares
    /// (EINVAL) while a group is idle and replaces them with the idle weight when it turns idle
    /// on (back to the default when it turns it off), so shares are written only for a group
    /// that is not idle after this write: an update of anything else of a container made idle
    /// must not fail on its saved shares (runc v1 writes shares, then idle). Returns whether
    /// the group stays or becomes idle.
    /// </summary>
    static bool IdleFirst(string dir, CpuResources c)
    {
        if (c.Idle == 0) CgroupFiles.Write(dir, "cpu.idle", "0", Field + ".idle");
        if (c.Idle is long idle) return idle != 0;
        return (c.Shares ?? 0) != 0 && (CgroupFiles.TryReadUInt(dir, "cpu.idle") ?? 0) != 0;
    }

    static void IdleLast(string dir, CpuResources c)
    {
        if (c.Idle is long idle && idle != 0) CgroupFiles.Write(dir, "cpu.idle", CgroupFiles.Num(idle), Field + ".idle");
    }

    /// <summary>Writes value; returns it if it must be written again after the quota, else null.</summary>
    static string? WriteBeforeQuota(string dir, string file, string? value, long quota, string field)
    {
        if (value == null) return null;
        int errno = CgroupFiles.TryWrite(dir, file, value);
        if (errno == 0) return null;
        if (errno == Errno.EINVAL && quota != 0) return value;
        throw CgroupFiles.WriteError(field, dir, file, errno);
    }

    /// <summary>
    /// The realtime budget (v1 only). Also called before the first process joins: a SCHED_RR
    /// process cannot enter a cgroup without runtime. Period and runtime constrain each other,
    /// so a refused period is retried after the runtime.
    /// </summary>
    public static void Realtime(string? dir, CpuResources? c)
    {
        if (c == null || dir == null) return;
        long runtime = c.RealtimeRuntime ?? 0;
        string? period = WriteBeforeQuota(dir, "cpu.rt_period_us",
            c.RealtimePeriod is ulong p && p != 0 ? CgroupFiles.Num(p) : null, runtime, Field + ".realtimePeriod");
        if (runtime == 0) return;
        CgroupFiles.Write(dir, "cpu.rt_runtime_us", CgroupFiles.Num(runtime), Field + ".realtimeRuntime");
        if (period != null) CgroupFiles.Write(dir, "cpu.rt_period_us", period, Field + ".realtimePeriod");
    }

    public static void V2(string dir, CpuResources? c)
    {
        if (c == null) return;
        if ((c.RealtimeRuntime ?? 0) != 0 || (c.RealtimePeriod ?? 0) != 0)
            Log.Warn($"{Field}.realtimeRuntime: ignored: cgroup v2 has no realtime budget");
        bool idleAfter = IdleFirst(dir, c);
        ulong weight = V2Conversions.CpuWeight(c.Shares ?? 0);
        if (weight != 0 && !idleAfter) CgroupFiles.Write(dir, "cpu.weight", CgroupFiles.Num(weight), Field + ".shares");
        IdleLast(dir, c);

        long quota = c.Quota ?? 0;
        ulong period = c.Period ?? 0;
        string? burst = WriteBeforeQuota(dir, "cpu.max.burst", c.Burst is ulong b ? CgroupFiles.Num(b) : null, quota, Field + ".burst");
        if (quota == 0 && period == 0) return;
        // cpu.max is "$QUOTA $PERIOD"; quota "max" lifts the limit, period defaults to 100ms.
        string max = (quota > 0 ? CgroupFiles.Num(quota) : "max") + " " + CgroupFiles.Num(period == 0 ? 100000UL : period);
        CgroupFiles.Write(dir, "cpu.max", max, Field + ".quota");
        if (burst != null) CgroupFiles.Write(dir, "cpu.max.burst", burst, Field + ".burst");
    }
}
