using CsRun.Linux;
using CsRun.Spec;

namespace CsRun.Cgroups;

/// <summary>linux.resources.cpu.cpus and .mems.</summary>
internal static class CpusetWriter
{
    const string Field = "linux.resources.cpu";

    /// <summary>
    /// Makes the v1 cpuset directory ready for processes. A new v1 cpuset starts with empty cpus
    /// and mems and refuses tasks (ENOSPC) until both are set, so each level from the mount
    /// down is created and, where still empty, given its parent's values; the container's own
    /// level gets the configured cpus/mems first (copying the parent's could clash with a
    /// sibling's cpu_exclusive).
    /// </summary>
    public static void PrepareV1(string dir, CpuResources? c, MadeDirs? made = null)
    {
        EnsureLevel(Parent(dir), made);
        CgroupDirs.MakeAll(dir, made);
        V1(dir, c);
        CopyIfEmpty(dir, Parent(dir));
    }

    public static void V1(string? dir, CpuResources? c)
    {
        if (string.IsNullOrEmpty(c?.Cpus) && string.IsNullOrEmpty(c?.Mems)) return;
        Write(CgroupFiles.Need(dir, "cpuset", Field), c);
    }

    public static void V2(string dir, CpuResources? c) => Write(dir, c);

    static void Write(string dir, CpuResources? c)
    {
        if (!string.IsNullOrEmpty(c?.Cpus)) CgroupFiles.Write(dir, File(dir, "cpus"), c.Cpus, Field + ".cpus");
        if (!string.IsNullOrEmpty(c?.Mems)) CgroupFiles.Write(dir, File(dir, "mems"), c.Mems, Field + ".mems");
    }

    /// <summary>Creates this level and fills it from its parent, parents first; stops at the mount.</summary>
    static void EnsureLevel(string current, MadeDirs? made)
    {
        string parent = Parent(current);
        long type = KernelFile.FsType(parent);
        // Above the mount point lies tmpfs: current is the hierarchy root, which is always set.
        // A parent that does not exist yet will be created as a cgroup.
        if (type >= 0 && type != Magic.Cgroup) return;
        EnsureLevel(parent, made);
        CgroupDirs.MakeParent(current, made);
        CopyIfEmpty(current, parent);
    }

    static void CopyIfEmpty(string dir, string parent)
    {
        foreach (string what in new[] { "cpus", "mems" })
        {
            if (CgroupFiles.Read(dir, File(dir, what)).Trim().Length > 0) continue;
            string value = CgroupFiles.Read(parent, File(parent, what)).Trim();
            CgroupFiles.Write(dir, File(dir, what), value, $"{Field}.{what} (copied from {parent})");
        }
    }

    /// <summary>A v1 cpuset mounted with "noprefix" (Android) names its files "cpus", not "cpuset.cpus".</summary>
    static string File(string dir, string name) =>
        CgroupFiles.Exists(dir, "cpuset." + name) || !CgroupFiles.Exists(dir, name) ? "cpuset." + name : name;

    static string Parent(string dir) => Path.GetDirectoryName(dir) ?? "/";
}
