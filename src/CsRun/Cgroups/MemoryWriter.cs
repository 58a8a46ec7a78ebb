using CsRun.Diagnostics;
using CsRun.Errors;
using CsRun.Linux;
using CsRun.Spec;

namespace CsRun.Cgroups;

/// <summary>linux.resources.memory.</summary>
internal static class MemoryWriter
{
    const string Field = "linux.resources.memory";
    const string Limit = "memory.limit_in_bytes", Memsw = "memory.memsw.limit_in_bytes";

    public static void V1(string? dir, MemoryResources? m)
    {
        if (m == null) return;
        WarnKernel(m);
        long limit = m.Limit ?? 0, swap = m.Swap ?? 0;
        bool any = limit != 0 || swap != 0 || (m.Reservation ?? 0) != 0 || m.DisableOomKiller == true || m.Swappiness != null
            || (m.KernelTcp ?? 0) != 0 || m.UseHierarchy != null;
        if (!any) return;
        string d = CgroupFiles.Need(dir, "memory", Field);

        bool hasSwap = CgroupFiles.Exists(d, Memsw);
        // Unlimited memory with swap unset: unlimit memsw too, else memsw keeps capping memory.
        if (limit == -1 && swap == 0 && hasSwap) swap = -1;
        if (swap != 0 && !hasSwap)
        {
            // Documented skip: kernels built without swap accounting (or booted with
            // swapaccount=0) have no memsw files; the memory limit alone still applies.
            Log.Warn($"{Field}.swap: ignored: {CgroupFiles.PathOf(d, Memsw)} does not exist (no swap accounting)");
            swap = 0;
        }
        // memsw may never be below the memory limit, at any moment: when the new memsw is
        // above the current memory limit (growing), write memsw first; otherwise memory first.
        if (limit != 0 && swap != 0 && (swap == -1 || CgroupFiles.ReadUInt(d, Limit) < (ulong)swap))
        {
            SetSwap(d, swap);
            SetLimit(d, limit);
        }
        else
        {
            SetLimit(d, limit);
            SetSwap(d, swap);
        }

        KernelTcp(d, m.KernelTcp ?? 0);
        // Kernels since 5.x are always hierarchical: "1" is accepted and "0" refused (EINVAL),
        // which names the field instead of a silent "false" (runc ignores the field).
        if (m.UseHierarchy is bool hierarchy)
            CgroupFiles.Write(d, "memory.use_hierarchy", hierarchy ? "1" : "0", Field + ".useHierarchy");
        if (m.Reservation is long reservation && reservation != 0)
            CgroupFiles.Write(d, "memory.soft_limit_in_bytes", CgroupFiles.Num(reservation), Field + ".reservation");
        if (m.DisableOomKiller == true)
            CgroupFiles.Write(d, "memory.oom_control", "1", Field + ".disableOOMKiller");
        // -1 (all bits set as the spec's unsigned field) means "leave the kernel's default".
        if (m.Swappiness is ulong swappiness && swappiness != ulong.MaxValue)
        {
            if (swappiness > 100)
                throw new RuntimeError($"{Field}.swappiness: invalid memory swappiness value: {swappiness} (valid range is 0-100)");
            CgroupFiles.Write(d, "memory.swappiness", CgroupFiles.Num(swappiness), Field + ".swappiness");
        }
    }

    static void SetLimit(string dir, long limit)
    {
        if (limit == 0) return;
        int errno = CgroupFiles.TryWrite(dir, Limit, CgroupFiles.Num(limit));
        if (errno == 0) return;
        // EBUSY: the kernel could not reclaim down to the new limit; say how far off it is.
        string detail = errno == Errno.EBUSY
            ? $" (current usage: {CgroupFiles.TryReadUInt(dir, "memory.usage_in_bytes")}, peak usage: {CgroupFiles.TryReadUInt(dir, "memory.max_usage_in_bytes")})"
            : "";
        throw CgroupFiles.WriteError(Field + ".limit", dir, Limit, errno, detail);
    }

    /// <summary>
    /// kernelTCP: v1 kernels still enforce memory.kmem.tcp.limit_in_bytes (6.18 here reads back
    /// what is written and counts socket buffers against it), as crun sets it; runc 1.1.5
    /// ignores it with the `kernel` limit's warning. Where the file is missing (kernels built
    /// without kmem accounting) it is a warning, as for swap without swap accounting.
    /// </summary>
    static void KernelTcp(string dir, long value)
    {
        const string file = "memory.kmem.tcp.limit_in_bytes";
        if (value == 0) return;
        if (!CgroupFiles.Exists(dir, file))
            Log.Warn($"{Field}.kernelTCP: ignored: {CgroupFiles.PathOf(dir, file)} does not exist");
        else CgroupFiles.Write(dir, file, CgroupFiles.Num(value), Field + ".kernelTCP");
    }

    static void SetSwap(string dir, long swap)
    {
        if (swap != 0) CgroupFiles.Write(dir, Memsw, CgroupFiles.Num(swap), Field + ".swap");
    }

    public static void V2(string dir, MemoryResources? m)
    {
        if (m == null) return;
        WarnKernel(m);
        if ((m.KernelTcp ?? 0) != 0) Log.Warn($"{Field}.kernelTCP: ignored: cgroup v2 has no such setting");
        if (m.DisableOomKiller == true) Log.Warn($"{Field}.disableOOMKiller: ignored: cgroup v2 has no such setting");
        if (m.Swappiness is ulong s && s != ulong.MaxValue) Log.Warn($"{Field}.swappiness: ignored: cgroup v2 has no such setting");
        if (m.UseHierarchy == false) Log.Warn($"{Field}.useHierarchy: ignored: cgroup v2 is always hierarchical");
        long limit = m.Limit ?? 0, swap = m.Swap ?? 0, reservation = m.Reservation ?? 0;
        if (limit == 0 && swap == 0 && reservation == 0) return;
        if (m.CheckBeforeUpdate == true) CheckUsage(dir, limit, swap);

        long swapOnly = V2Conversions.SwapOnly(swap, limit, Field + ".swap");
        string? swapValue = V2Conversions.Limit(swapOnly);
        // memory == memory+swap: no swap at all.
        if (swapValue == null && swapOnly == 0 && swap > 0) swapValue = "0";
        if (swapValue != null)
        {
            int errno = CgroupFiles.TryWrite(dir, "memory.swap.max", swapValue);
            // Without swap accounting the file is absent; "no limit" and "no swap" then hold anyway.
            if (errno != 0 && !(errno == Errno.ENOENT && swapValue is "max" or "0"))
                throw CgroupFiles.WriteError(Field + ".swap", dir, "memory.swap.max", errno);
        }
        if (V2Conversions.Limit(limit) is string max) CgroupFiles.Write(dir, "memory.max", max, Field + ".limit");
        if (V2Conversions.Limit(reservation) is string low) CgroupFiles.Write(dir, "memory.low", low, Field + ".reservation");
    }

    /// <summary>checkBeforeUpdate: refuse a limit at or below what the cgroup uses now (best effort).</summary>
    static void CheckUsage(string dir, long limit, long swap)
    {
        ulong usage;
        try
        {
            if (CgroupFiles.TryReadUInt(dir, "memory.current") is not ulong u) return;
            usage = u;
        }
        catch (RuntimeError)
        {
            return;
        }
        if (swap > 0 && (ulong)swap <= usage)
            throw new RuntimeError($"{Field}.swap: rejecting memory+swap limit {swap} <= usage {usage}");
        if (limit > 0 && (ulong)limit <= usage)
            throw new RuntimeError($"{Field}.limit: rejecting memory limit {limit} <= usage {usage}");
    }

    static void WarnKernel(MemoryResources m)
    {
        // The kmem limit is deprecated since Linux 5.4 and no longer enforced (6.x accepts a write
        // to memory.kmem.limit_in_bytes and reads back unlimited); runc ignores it too.
        if (m.Kernel != null) Log.Warn("Kernel memory settings are ignored and will be removed");
    }
}
