using CsRun.Cgroups;
using CsRun.Cli;
using CsRun.Spec;

namespace CsRun.Container;

/// <summary>
/// update: merge new limits into the container's resources and write them to its cgroup. As in
/// runc, only memory, cpu, the block IO weight, pids and unified can change (devices, hugepages
/// and the rest stay as created), and a field left out (or 0) keeps its value.
/// </summary>
internal static class Updating
{
    public static void Update(StateStore store, string id, Resources change)
    {
        using var _ = store.Lock(id);
        var s = store.Load(id);
        if (ContainerStatus.Of(store, s) == ContainerStatus.Stopped) throw new RuntimeError("container not running");
        if (s.CgroupPaths.Count == 0) throw new RuntimeError("the container has no cgroup to update");
        var current = s.Config.Linux?.Resources ?? new Resources();
        var merged = Merge(current, change);
        CgroupManager.FromPaths(s.CgroupPaths, s.SystemdCgroup).Apply(new Resources
        {
            Memory = merged.Memory, Cpu = merged.Cpu, BlockIo = merged.BlockIo?.Weight is { } w ? new BlockIo { Weight = w } : null,
            Pids = merged.Pids, Unified = merged.Unified,
        });
        s.Config.Linux ??= new Spec.Linux();
        s.Config.Linux.Resources = merged;
        store.Save(s);
    }

    /// <summary><paramref name="current"/> with the updatable fields <paramref name="change"/> sets.</summary>
    internal static Resources Merge(Resources current, Resources change)
    {
        var m = change.Memory;
        var memory = current.Memory ?? new MemoryResources();
        if (m != null)
        {
            // Unlimited memory with swap unset means unlimited swap too (runc's v1 compatibility rule).
            long? swap = m.Limit == -1 && m.Swap == null ? -1 : m.Swap;
            memory = memory with
            {
                Limit = m.Limit ?? memory.Limit, Reservation = m.Reservation ?? memory.Reservation, Swap = swap ?? memory.Swap,
                CheckBeforeUpdate = m.CheckBeforeUpdate ?? memory.CheckBeforeUpdate,
            };
        }
        var c = change.Cpu;
        var cpu = current.Cpu ?? new CpuResources();
        if (c != null)
        {
            cpu = cpu with
            {
                Shares = c.Shares ?? cpu.Shares, Quota = c.Quota ?? cpu.Quota, Burst = c.Burst ?? cpu.Burst, Period = c.Period ?? cpu.Period,
                RealtimeRuntime = c.RealtimeRuntime ?? cpu.RealtimeRuntime, RealtimePeriod = c.RealtimePeriod ?? cpu.RealtimePeriod,
                Cpus = string.IsNullOrEmpty(c.Cpus) ? cpu.Cpus : c.Cpus, Mems = string.IsNullOrEmpty(c.Mems) ? cpu.Mems : c.Mems,
                Idle = c.Idle ?? cpu.Idle,
            };
        }
        var blockIo = current.BlockIo;
        if (change.BlockIo?.Weight is ushort weight) blockIo = (blockIo ?? new BlockIo()) with { Weight = weight };
        return current with
        {
            Memory = memory, Cpu = cpu, BlockIo = blockIo,
            Pids = change.Pids is { Limit: not 0 } ? change.Pids : current.Pids,
            Unified = change.Unified ?? current.Unified,
        };
    }
}
