using CsRun.Cgroups.Systemd;
using CsRun.Cli;
using CsRun.Linux;

namespace CsRun.Cgroups;

/// <summary>Picks the manager for the host's cgroup layout and the chosen driver.</summary>
internal static class CgroupManager
{
    /// <summary>
    /// The manager for a new container. cgroupsPath is linux.cgroupsPath: a path for the
    /// cgroupfs driver (see <see cref="CgroupPath"/>), "slice:prefix:name" for systemd.
    /// </summary>
    public static ICgroupManager ForContainer(string id, string? cgroupsPath, bool systemd)
    {
        if (systemd) return Systemd(id, cgroupsPath);
        var layout = CgroupLayout.Detect();
        var paths = CgroupPath.Resolve(layout, id, cgroupsPath);
        return layout.Mode == CgroupMode.V2
            ? new V2Manager(paths[CgroupLayout.Unified], layout.Mounts[CgroupLayout.Unified].MountPoint)
            : new V1Manager(paths);
    }

    /// <summary>
    /// The manager of an existing container, from the <see cref="ICgroupManager.Paths"/> its
    /// state file saved: a single "" entry is a v2 cgroup; anything else is v1 or hybrid.
    /// </summary>
    public static ICgroupManager FromPaths(IReadOnlyDictionary<string, string> paths, bool systemd = false)
    {
        if (paths.Count == 0) throw new RuntimeError("container has no cgroup paths");
        if (paths.Count > 1 || !paths.TryGetValue(CgroupLayout.Unified, out string? dir)) return new V1Manager(paths);
        // Only Create needs the mount point; take it from the host, and fall back to the
        // canonical one if the layout cannot be read (Destroy must still work).
        string mount = "/sys/fs/cgroup";
        try
        {
            var layout = CgroupLayout.Detect();
            if (layout.Mounts.TryGetValue(CgroupLayout.Unified, out var m)) mount = m.MountPoint;
        }
        catch (RuntimeError e)
        {
            Log.Debug(e.Message);
        }
        return systemd ? new SystemdManager(dir, mount) : new V2Manager(dir, mount);
    }

    /// <summary>
    /// The systemd driver: a transient unit named by "slice:prefix:name" (see
    /// <see cref="SystemdUnit"/>), with the v2 cgroupfs manager on its directory for the
    /// writes, as runc's systemd managers wrap its fs managers. Only on v2: on v1 and hybrid
    /// hosts systemd's properties and directories differ per controller.
    /// </summary>
    static ICgroupManager Systemd(string id, string? cgroupsPath)
    {
        // sd_booted(3): systemd is PID 1 when /run/systemd/system exists.
        if (!KernelFile.Exists("/run/systemd/system"))
            throw new RuntimeError("systemd not running on this host, cannot use systemd cgroups manager");
        var unit = SystemdUnit.Parse(id, cgroupsPath);
        var layout = CgroupLayout.Detect();
        if (layout.Mode != CgroupMode.V2)
            throw new RuntimeError("the systemd cgroup driver of csrun needs cgroup v2 (a unified hierarchy); this host has cgroup v1: run without --systemd-cgroup");
        return new SystemdManager(unit, layout.Mounts[CgroupLayout.Unified].MountPoint);
    }
}
