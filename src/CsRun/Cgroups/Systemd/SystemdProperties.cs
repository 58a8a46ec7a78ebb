using System.Globalization;
using CsRun.Diagnostics;
using CsRun.Errors;
using CsRun.Spec;

namespace CsRun.Cgroups.Systemd;

/// <summary>
/// linux.resources as systemd unit properties, as runc's systemd v2 driver converts them, so
/// that systemd keeps the same limits the cgroup files get (it rewrites the files from its
/// properties on daemon-reload). Properties a systemd version lacks are left out; the cgroupfs
/// writes that follow still set them.
/// </summary>
internal static class SystemdProperties
{
    const string Field = "linux.resources";

    /// <summary>CPU quota period the kernel uses when none is given (100 ms).</summary>
    const ulong DefaultPeriod = 100000;

    /// <summary>
    /// The properties for the resources, and the resources the cgroupfs writes should use:
    /// the CPU quota rounded up the way systemd rounds CPUQuotaPerSecUSec, so that both agree.
    /// </summary>
    public static List<UnitProperty> For(Resources? r, int systemdVersion, out Resources? adjusted)
    {
        adjusted = r;
        var props = new List<UnitProperty>();
        if (r == null) return props;
        Devices(props, r.Devices, systemdVersion);

        if (r.Memory is { } m)
        {
            long limit = m.Limit ?? 0, swap = m.Swap ?? 0;
            if (limit != 0) props.Add(UnitProperty.UInt64("MemoryMax", Bytes(limit)));
            if ((m.Reservation ?? 0) != 0) props.Add(UnitProperty.UInt64("MemoryLow", Bytes(m.Reservation!.Value)));
            long swapOnly = V2Conversions.SwapOnly(swap, limit, Field + ".memory.swap");
            if (swapOnly != 0) props.Add(UnitProperty.UInt64("MemorySwapMax", Bytes(swapOnly)));
        }

        if (r.Cpu is { } c)
        {
            bool idle = c.Idle == 1 && systemdVersion >= 252;
            // systemd sets cpu.idle=1 for CPUWeight=0 (v252).
            if (idle) props.Add(UnitProperty.UInt64("CPUWeight", 0));
            ulong weight = V2Conversions.CpuWeight(c.Shares ?? 0);
            if (weight != 0 && !idle) props.Add(UnitProperty.UInt64("CPUWeight", weight));
            else if (weight != 0) Log.Warn($"{Field}.cpu.shares: not given to systemd: CPUWeight=0 already stands for cpu.idle");

            long quota = c.Quota ?? 0;
            if (CpuQuota(props, ref quota, c.Period ?? 0, systemdVersion) && quota != (c.Quota ?? 0))
                adjusted = r with { Cpu = c with { Quota = quota } };

            if (systemdVersion >= 244)
            {
                if (!string.IsNullOrEmpty(c.Cpus)) props.Add(UnitProperty.Bytes("AllowedCPUs", CpuMask(c.Cpus, Field + ".cpu.cpus")));
                if (!string.IsNullOrEmpty(c.Mems)) props.Add(UnitProperty.Bytes("AllowedMemoryNodes", CpuMask(c.Mems, Field + ".cpu.mems")));
            }
        }

        // A 0 left here is a limit (spec 1.3, PidsWriter.ForVersion): systemd refuses TasksMax=0,
        // so it is 1, as runc 1.4 sets it.
        if (r.Pids is { } p) props.Add(UnitProperty.UInt64("TasksMax", p.Limit < 0 ? ulong.MaxValue : p.Limit == 0 ? 1 : (ulong)p.Limit));

        if (r.Unified != null) Unified(props, r.Unified, systemdVersion);
        return props;
    }

    /// <summary>
    /// CPUQuotaPeriodUSec (v242) and CPUQuotaPerSecUSec. systemd keeps the quota as a whole
    /// percent of a CPU, so a per-second quota is rounded up to 10 ms and the quota with it.
    /// Returns whether anything was added.
    /// </summary>
    static bool CpuQuota(List<UnitProperty> props, ref long quota, ulong period, int systemdVersion)
    {
        if (period != 0 && systemdVersion >= 242) props.Add(UnitProperty.UInt64("CPUQuotaPeriodUSec", period));
        if (quota == 0 && period == 0) return false;
        ulong perSec = ulong.MaxValue;
        if (quota > 0)
        {
            ulong p = period == 0 ? DefaultPeriod : period;
            perSec = (ulong)quota * 1000000 / p;
            if (perSec % 10000 != 0)
            {
                perSec = (perSec / 10000 + 1) * 10000;
                quota = (long)(perSec * p / 1000000);
            }
        }
        props.Add(UnitProperty.UInt64("CPUQuotaPerSecUSec", perSec));
        return true;
    }

    static ulong Bytes(long v) => v < 0 ? ulong.MaxValue : (ulong)v;

    /// <summary>"0-3,8" as the little-endian bit mask systemd's AllowedCPUs takes.</summary>
    internal static byte[] CpuMask(string list, string field)
    {
        var bits = new List<int>();
        foreach (string raw in list.Split(','))
        {
            string part = raw.Trim();
            if (part.Length == 0) continue;
            int dash = part.IndexOf('-');
            if (!uint.TryParse(dash < 0 ? part : part[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out uint lo)
                || !uint.TryParse(dash < 0 ? part : part[(dash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out uint hi)
                || lo > hi || hi > 1 << 20)
                throw new RuntimeError($"{field}: invalid CPU or memory node list \"{list}\"");
            for (uint i = lo; i <= hi; i++) bits.Add((int)i);
        }
        if (bits.Count == 0) throw new RuntimeError($"{field}: empty CPU or memory node list \"{list}\"");
        var mask = new byte[bits.Max() / 8 + 1];
        foreach (int b in bits) mask[b / 8] |= (byte)(1 << (b % 8));
        return mask;
    }

    /// <summary>
    /// DevicePolicy=strict with the allow-list as DeviceAllow, as runc does; systemd then puts
    /// its own device program on the scope, which csrun's program replaces right after. The
    /// path forms need systemd v240 ("char-5", "/dev/char/1:3" without a node); older versions
    /// get no device properties and only csrun's program.
    /// </summary>
    static void Devices(List<UnitProperty> props, List<DeviceRule>? rules, int systemdVersion)
    {
        if (rules == null || systemdVersion < 240) return;
        var emu = DeviceEmulator.From(rules);
        // An empty DeviceAllow first clears what an existing unit had.
        props.Add(UnitProperty.Pairs("DeviceAllow"));
        if (emu.DefaultAllow)
        {
            // systemd has no deny-lists: allow-all is expressible, anything else is deny-all
            // until csrun's program (which does express it) replaces systemd's.
            props.Add(UnitProperty.String("DevicePolicy", emu.AllowsAll ? "auto" : "strict"));
            if (!emu.AllowsAll) Log.Debug("systemd has no device deny-lists: DevicePolicy=strict until csrun's device program is attached");
            return;
        }
        props.Add(UnitProperty.String("DevicePolicy", "strict"));
        var allow = new List<(string, string)>();
        foreach (var e in emu.Exceptions())
        {
            string group = e.Match.Type == 'b' ? "block-" : "char-";
            string path;
            if (e.Match.Major < 0)
            {
                if (e.Match.Minor >= 0)
                {
                    Log.Debug($"systemd cannot express device rule {e}: left to csrun's device program");
                    continue;
                }
                path = group + "*";
            }
            else if (e.Match.Minor < 0) path = group + e.Match.Major.ToString(CultureInfo.InvariantCulture);
            else path = $"/dev/{(e.Match.Type == 'b' ? "block" : "char")}/{e.Match.Major}:{e.Match.Minor}";
            allow.Add((path, DeviceEmulator.AccessText(e.Access)));
        }
        props.Add(UnitProperty.Pairs("DeviceAllow", allow.ToArray()));
    }

    /// <summary>The unified keys systemd has properties for (runc's unifiedResToSystemdProps).</summary>
    static void Unified(List<UnitProperty> props, Dictionary<string, string> unified, int systemdVersion)
    {
        bool idle = unified.TryGetValue("cpu.idle", out string? idleValue) && idleValue.Trim() == "1" && systemdVersion >= 252;
        foreach (var (key, raw) in unified.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            string v = raw.Trim();
            string field = $"{Field}.unified.{key}";
            switch (key)
            {
                case "cpu.idle":
                    if (idle) props.Add(UnitProperty.UInt64("CPUWeight", 0));
                    break;
                case "cpu.weight":
                    if (idle)
                    {
                        Log.Warn($"{field}: not given to systemd: CPUWeight=0 already stands for cpu.idle");
                        break;
                    }
                    props.Add(UnitProperty.UInt64("CPUWeight", Number(v, field)));
                    break;
                case "cpu.max":
                    {
                        string[] f = v.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                        if (f.Length is < 1 or > 2) throw new RuntimeError($"{field}: invalid value \"{raw}\"");
                        long quota = f[0] == "max" ? 0 : (long)Number(f[0], field);
                        ulong period = f.Length == 2 ? Number(f[1], field) : DefaultPeriod;
                        CpuQuota(props, ref quota, period, systemdVersion);
                        break;
                    }
                case "cpuset.cpus" when systemdVersion >= 244:
                    props.Add(UnitProperty.Bytes("AllowedCPUs", CpuMask(v, field)));
                    break;
                case "cpuset.mems" when systemdVersion >= 244:
                    props.Add(UnitProperty.Bytes("AllowedMemoryNodes", CpuMask(v, field)));
                    break;
                case "memory.high" or "memory.low" or "memory.min" or "memory.max" or "memory.swap.max":
                    {
                        string name = key switch
                        {
                            "memory.high" => "MemoryHigh",
                            "memory.low" => "MemoryLow",
                            "memory.min" => "MemoryMin",
                            "memory.max" => "MemoryMax",
                            _ => "MemorySwapMax",
                        };
                        props.Add(UnitProperty.UInt64(name, v == "max" ? ulong.MaxValue : Number(v, field)));
                        break;
                    }
                case "pids.max":
                    {
                        ulong n = v == "max" ? ulong.MaxValue : Number(v, field);
                        props.Add(UnitProperty.UInt64("TasksMax", n == 0 ? 1 : n));
                        break;
                    }
                    // Anything else is only written to the cgroup file.
            }
        }
    }

    static ulong Number(string v, string field) =>
        ulong.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out ulong n)
            ? n
            : throw new RuntimeError($"{field}: invalid value \"{v}\"");

    /// <summary>
    /// What only a new unit takes: where it goes, delegation, the first process, accounting
    /// (so that the controllers are on, as with cgroupfs), and OOMPolicy from memory.oom.group.
    /// </summary>
    public static List<UnitProperty> ForStart(SystemdUnit unit, int pid, Resources? r, int systemdVersion)
    {
        var props = new List<UnitProperty> { UnitProperty.String("Description", "csrun container " + unit.Name) };
        if (unit.IsSlice) props.Add(UnitProperty.Strings("Wants", unit.Slice));
        else
        {
            props.Add(UnitProperty.String("Slice", unit.Slice));
            props.Add(UnitProperty.Bool("Delegate", true));
        }
        props.Add(UnitProperty.UInt32s("PIDs", (uint)pid));
        props.Add(UnitProperty.Bool("MemoryAccounting", true));
        props.Add(UnitProperty.Bool("CPUAccounting", true));
        props.Add(UnitProperty.Bool("IOAccounting", true));
        props.Add(UnitProperty.Bool("TasksAccounting", true));
        props.Add(UnitProperty.Bool("DefaultDependencies", false));
        if (r?.Unified?.TryGetValue("memory.oom.group", out string? oom) == true && systemdVersion >= 253)
        {
            switch (oom.Trim())
            {
                case "0": props.Add(UnitProperty.String("OOMPolicy", "continue")); break;
                case "1": props.Add(UnitProperty.String("OOMPolicy", "kill")); break;
            }
        }
        return props;
    }
}
