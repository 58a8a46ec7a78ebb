using CsRun.Cgroups;
using CsRun.Diagnostics;
using CsRun.Errors;
using CsRun.Spec;

namespace CsRun.Container;

/// <summary>
/// `update`: merges new resources into the container's saved ones, applies the result to its
/// cgroup while it runs, and saves it in the state so a later update or `events` builds on it.
/// </summary>
internal static class Updater
{
    public static void Update(StateStore store, string id, Resources update)
    {
        using var _ = store.Lock(id);
        var s = store.Load(id);
        if (ContainerStatus.Of(store, s) == ContainerStatus.Stopped) throw new RuntimeError("container not running");
        var linux = s.Config.Linux ??= new LinuxConfig();
        // pids.limit 0 means what the container's ociVersion says it means (PidsWriter).
        var old = PidsWriter.ForVersion(linux.Resources, s.Config.OciVersion);
        RefuseChanges(old, update);
        var merged = Merge(old, update, PidsWriter.ZeroIsLimit(s.Config.OciVersion));
        var cgroup = CgroupManager.FromPaths(s.CgroupPaths, s.SystemdCgroup);
        try
        {
            cgroup.Apply(WithoutDevices(merged));
        }
        catch (RuntimeError)
        {
            // Put back what was there: a half-applied update is worse than none (runc alike).
            try
            {
                cgroup.Apply(WithoutDevices(old));
            }
            catch (RuntimeError e)
            {
                Log.Warn($"Setting back cgroup configs failed due to error: {e.Message}, your state.json and actual configs might be inconsistent.");
            }
            throw;
        }
        linux.Resources = merged;
        store.Save(s);
    }

    /// <summary>
    /// runc's update rules: a value given replaces the saved one, a value left out (null, or 0
    /// where the spec treats 0 as unset: pids.limit before spec 1.3) keeps it; block I/O devices are updated by major:minor
    /// or appended; unified keys are upserted. Devices, hugepages, network and RDMA limits are
    /// not updatable: they stay as they were (a changed value was refused by RefuseChanges).
    /// </summary>
    public static Resources Merge(Resources? old, Resources u, bool zeroPidsIsLimit = false)
    {
        var r = Copy(old);
        if (u.Memory is { } m)
        {
            var rm = r.Memory ??= new MemoryResources();
            rm.Limit = m.Limit ?? rm.Limit;
            rm.Reservation = m.Reservation ?? rm.Reservation;
            // Unlimited memory with swap not given: lift the swap limit too, else it would
            // keep capping memory ("unable to set swap limit without memory limit" in runc).
            rm.Swap = m.Swap ?? (m.Limit == -1 ? 0 : rm.Swap);
            rm.CheckBeforeUpdate = m.CheckBeforeUpdate == true ? true : null;
            // kernelTCP is applied where the kernel has it (MemoryWriter); `kernel` is not kept.
            if ((m.KernelTcp ?? 0) != 0) rm.KernelTcp = m.KernelTcp;
            if (m.Kernel != null) Log.Warn("Kernel memory settings are ignored and will be removed");
        }
        if (u.Cpu is { } c)
        {
            var rc = r.Cpu ??= new CpuResources();
            if ((c.Shares ?? 0) != 0) rc.Shares = c.Shares;
            if ((c.Quota ?? 0) != 0) rc.Quota = c.Quota;
            if ((c.Period ?? 0) != 0) rc.Period = c.Period;
            rc.Burst = c.Burst ?? rc.Burst;
            if ((c.RealtimeRuntime ?? 0) != 0) rc.RealtimeRuntime = c.RealtimeRuntime;
            if ((c.RealtimePeriod ?? 0) != 0) rc.RealtimePeriod = c.RealtimePeriod;
            if (!string.IsNullOrEmpty(c.Cpus)) rc.Cpus = c.Cpus;
            if (!string.IsNullOrEmpty(c.Mems)) rc.Mems = c.Mems;
            rc.Idle = c.Idle ?? rc.Idle;
        }
        if (u.Pids is { } p && (p.Limit != 0 || zeroPidsIsLimit)) r.Pids = new PidsResources { Limit = p.Limit };
        if (u.BlockIo is { } b && BlockIoWriter.IsSet(b))
        {
            var rb = r.BlockIo ??= new BlockIo();
            if ((b.Weight ?? 0) != 0) rb.Weight = b.Weight;
            if ((b.LeafWeight ?? 0) != 0) rb.LeafWeight = b.LeafWeight;
            foreach (var wd in b.WeightDevice ?? new List<WeightDevice>())
            {
                rb.WeightDevice ??= new List<WeightDevice>();
                var found = rb.WeightDevice.LastOrDefault(d => d.Major == wd.Major && d.Minor == wd.Minor);
                if (found == null) rb.WeightDevice.Add(wd with { });
                else
                {
                    found.Weight = wd.Weight ?? found.Weight;
                    found.LeafWeight = wd.LeafWeight ?? found.LeafWeight;
                }
            }
            rb.ThrottleReadBpsDevice = Upsert(rb.ThrottleReadBpsDevice, b.ThrottleReadBpsDevice);
            rb.ThrottleWriteBpsDevice = Upsert(rb.ThrottleWriteBpsDevice, b.ThrottleWriteBpsDevice);
            rb.ThrottleReadIopsDevice = Upsert(rb.ThrottleReadIopsDevice, b.ThrottleReadIopsDevice);
            rb.ThrottleWriteIopsDevice = Upsert(rb.ThrottleWriteIopsDevice, b.ThrottleWriteIopsDevice);
        }
        if (u.Unified is { Count: > 0 })
        {
            r.Unified ??= new Dictionary<string, string>();
            foreach (var (k, v) in u.Unified) r.Unified[k] = v;
        }
        return r;
    }

    static List<ThrottleDevice>? Upsert(List<ThrottleDevice>? devices, List<ThrottleDevice>? updates)
    {
        if (updates == null) return devices;
        devices ??= new List<ThrottleDevice>();
        foreach (var td in updates)
        {
            var found = devices.LastOrDefault(d => d.Major == td.Major && d.Minor == td.Minor);
            if (found == null) devices.Add(td with { });
            else found.Rate = td.Rate;
        }
        return devices;
    }

    /// <summary>
    /// Devices, hugepages, network and RDMA limits are set at create only (runc's update drops
    /// them silently). Engines resend them unchanged with every update (containerd's CRI sends
    /// the whole linux.resources), which is fine; a different value is an error, so the caller
    /// never believes a change took that did not.
    /// </summary>
    static void RefuseChanges(Resources? old, Resources u)
    {
        Same(u.Devices != null, r => r.Devices = u.Devices, r => r.Devices = old?.Devices, "devices");
        Same(u.HugepageLimits != null, r => r.HugepageLimits = u.HugepageLimits, r => r.HugepageLimits = old?.HugepageLimits, "hugepageLimits");
        Same(u.Network != null, r => r.Network = u.Network, r => r.Network = old?.Network, "network");
        Same(u.Rdma != null, r => r.Rdma = u.Rdma, r => r.Rdma = old?.Rdma, "rdma");
    }

    static void Same(bool given, Action<Resources> setGiven, Action<Resources> setSaved, string name)
    {
        if (!given || Json(setGiven) == Json(setSaved)) return;
        throw new RuntimeError($"linux.resources.{name}: cannot be changed by update (set at create only)");
    }

    /// <summary>The resources' JSON with one field set: a deep comparison through the writer
    /// that saves the state.</summary>
    static string Json(Action<Resources> fill)
    {
        var r = new Resources();
        fill(r);
        var c = new Config { Linux = new LinuxConfig { Resources = r } };
        return System.Text.Encoding.UTF8.GetString(ConfigWriter.Compact(c));
    }

    /// <summary>A deep copy, so that the saved resources stay as they were until the update applied.</summary>
    static Resources Copy(Resources? r) => r == null ? new Resources() : ResourcesCopy.Of(r);

    /// <summary>
    /// update never touches device rules (runc's SkipDevices): rewriting them means a moment of
    /// deny-all on v1, and a device plugin may have added rules of its own.
    /// </summary>
    static Resources? WithoutDevices(Resources? r) => r == null ? null : r with { Devices = null };
}
