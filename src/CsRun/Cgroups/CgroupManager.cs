using CsRun.Cgroups.Systemd;
using CsRun.Diagnostics;
using CsRun.Errors;
using CsRun.Linux;

namespace CsRun.Cgroups;

/// <summary>Picks the manager for the host's cgroup layout and the chosen driver.</summary>
internal static class CgroupManager
{
    /// <summary>
    /// The manager for a new container. cgroupsPath is linux.cgroupsPath: a path for the
    /// cgroupfs driver (see <see cref="CgroupPath"/>), "slice:prefix:name" for systemd.
    /// </summary>
    /// <param name="rootless">runc's rootless cgroup manager: hierarchies the caller cannot use
    /// are left out when no cgroupsPath was given (<see cref="RootlessCgroups"/>), device rules
    /// are not written (only real root may).</param>
    public static ICgroupManager ForContainer(string id, string? cgroupsPath, bool systemd, bool rootless = false)
    {
        if (systemd) return Systemd(id, cgroupsPath, rootless);
        var layout = CgroupLayout.Detect();
        var paths = CgroupPath.Resolve(layout, id, cgroupsPath);
        var lost = rootless ? RootlessCgroups.Filter(paths, !string.IsNullOrEmpty(cgroupsPath), CgroupPath.OwnDirs(layout)) : new LostCgroups();
        if (layout.Mode != CgroupMode.V2) return paths.Count == 0 ? new NoCgroupManager(new V1Manager(paths) { Lost = lost, Rootless = true }) : new V1Manager(paths) { Lost = lost, Rootless = rootless };
        string mount = layout.Mounts[CgroupLayout.Unified].MountPoint;
        return paths.TryGetValue(CgroupLayout.Unified, out string? dir)
            ? new V2Manager(dir, mount) { Rootless = rootless }
            : new NoCgroupManager(new V2Manager(lost.Dir(CgroupLayout.Unified), mount) { Lost = lost, Rootless = true });
    }

    /// <summary>
    /// What the container's cgroup mount shows of each hierarchy: its cgroup, or for one a
    /// rootless container was left out of, the caller's own, where it stays (runc alike).
    /// </summary>
    public static IReadOnlyDictionary<string, string> ViewPaths(ICgroupManager cgroup)
    {
        var lost = cgroup switch { FsManager f => f.Lost, NoCgroupManager n => n.Lost, _ => null };
        if (lost == null || lost.Count == 0) return cgroup.Paths;
        var view = new Dictionary<string, string>(cgroup.Paths);
        foreach (var (key, dir) in lost.Stays) view[key] = dir;
        return view;
    }

    /// <summary>
    /// The manager of an existing container, from the <see cref="ICgroupManager.Paths"/> its
    /// state file saved: a single "" entry is a v2 cgroup; anything else is v1 or hybrid.
    /// </summary>
    public static ICgroupManager FromPaths(IReadOnlyDictionary<string, string> paths, bool systemd = false)
    {
        // A rootless container the caller owned no cgroup for.
        if (paths.Count == 0) return new NoCgroupManager();
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
    /// hosts systemd's properties and directories differ per controller. A rootless container's
    /// unit belongs to the caller's systemd --user (<see cref="ForUserManager"/>), as runc's.
    /// </summary>
    static ICgroupManager Systemd(string id, string? cgroupsPath, bool rootless)
    {
        // sd_booted(3): systemd is PID 1 when /run/systemd/system exists.
        if (!KernelFile.Exists("/run/systemd/system"))
            throw new RuntimeError("systemd not running on this host, cannot use systemd cgroups manager");
        var unit = SystemdUnit.Parse(id, cgroupsPath, rootless ? SystemdUnit.UserSlice : SystemdUnit.DefaultSlice);
        var layout = CgroupLayout.Detect();
        if (layout.Mode != CgroupMode.V2)
            throw new RuntimeError("the systemd cgroup driver of csrun needs cgroup v2 (a unified hierarchy); this host has cgroup v1: run without --systemd-cgroup");
        string mount = layout.Mounts[CgroupLayout.Unified].MountPoint;
        return rootless ? ForUserManager(unit, mount) : new SystemdManager(unit, mount);
    }

    /// <summary>
    /// The manager of a rootless container in the caller's systemd --user ($XDG_RUNTIME_DIR's;
    /// root in a user namespace authenticates as the uid outside): the unit's cgroup is below
    /// the manager's own.
    /// </summary>
    internal static SystemdManager ForUserManager(SystemdUnit unit, string mount)
    {
        using var manager = SystemdClient.Connect(user: true);
        return new SystemdManager(unit, mount, user: true, manager.ControlGroup());
    }
}
