using CsRun.Cli;

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
        if (systemd)
        {
            // Seam for the systemd driver: validate "slice:prefix:name", start a transient
            // scope over D-Bus (StartTransientUnit with the resources as unit properties), then
            // delegate file writes to a V1Manager/V2Manager on the scope's directories, as
            // runc's systemd managers wrap its fs managers.
            throw new RuntimeError("the systemd cgroup driver is not implemented yet: run without --systemd-cgroup");
        }
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
    public static ICgroupManager FromPaths(IReadOnlyDictionary<string, string> paths)
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
        return new V2Manager(dir, mount);
    }
}
