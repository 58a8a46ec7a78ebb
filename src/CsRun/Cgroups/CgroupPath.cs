using CsRun.Errors;


namespace CsRun.Cgroups;

/// <summary>
/// linux.cgroupsPath to the container's directory in each hierarchy, as runc's cgroupfs
/// drivers (fs, fs2) place it:
/// - absolute ("/a/b"): below the hierarchy's mount point;
/// - relative ("a/b"): below csrun's own cgroup (/proc/self/cgroup); on v2 below its PARENT,
///   because csrun's own cgroup holds processes and v2 forbids enabling controllers for the
///   children of a cgroup with processes;
/// - absent: runc's default, the container id as a relative path.
/// A path may not climb out of its base with "..": runc silently clamps such paths, csrun
/// rejects them.
/// </summary>
internal static class CgroupPath
{
    const string Field = "linux.cgroupsPath";

    /// <summary>Hierarchy key (see <see cref="CgroupLayout.Mounts"/>) to absolute directory.</summary>
    public static Dictionary<string, string> Resolve(CgroupLayout layout, string id, string? cgroupsPath)
    {
        string given = string.IsNullOrEmpty(cgroupsPath) ? id : cgroupsPath;
        bool absolute = given.StartsWith('/');
        string inner = Clean(given);
        // The hierarchy root (or csrun's own cgroup) holds other processes: Destroy would kill them.
        if (inner.Length == 0) throw new RuntimeError($"{Field}: {given}: must name a cgroup below its base");

        var paths = new Dictionary<string, string>();
        if (layout.Mode == CgroupMode.V2)
        {
            var mount = layout.Mounts[CgroupLayout.Unified];
            string baseDir = absolute ? "" : Parent(Below(mount, Own(layout, CgroupLayout.Unified)));
            paths[CgroupLayout.Unified] = Join(mount.MountPoint, baseDir, inner);
            return paths;
        }
        if (!layout.Mounts.ContainsKey("devices"))
        {
            // Without the devices controller a v1 container could open any device node.
            throw new RuntimeError("mountpoint for devices not found");
        }
        foreach (var (key, mount) in layout.Mounts)
        {
            if (!Wanted(key)) continue;
            string baseDir = absolute ? "" : Below(mount, Own(layout, key));
            paths[key] = Join(mount.MountPoint, baseDir, inner);
        }
        return paths;
    }

    /// <summary>
    /// Controllers, the hybrid unified hierarchy, and name=systemd (joined so that systemd
    /// tools see the container where it is, as runc does); other named hierarchies are not ours.
    /// </summary>
    static bool Wanted(string key) => !key.StartsWith("name=", StringComparison.Ordinal) || key == "name=systemd";

    /// <summary>
    /// The path's components with "." and ".." resolved, without leading slash. A ".." that
    /// would leave the base is an error.
    /// </summary>
    internal static string Clean(string path)
    {
        string clean = Normalize(path, out bool escapes);
        if (escapes) throw new RuntimeError($"{Field}: {path}: must not leave the cgroup hierarchy with \"..\"");
        return clean;
    }

    static string Normalize(string path, out bool escapes)
    {
        escapes = false;
        var parts = new List<string>();
        foreach (string part in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == ".") continue;
            if (part != "..")
            {
                parts.Add(part);
                continue;
            }
            if (parts.Count == 0) escapes = true;
            else parts.RemoveAt(parts.Count - 1);
        }
        return string.Join('/', parts);
    }

    /// <summary>csrun's own cgroup directory in each hierarchy (/proc/self/cgroup under the mount points).</summary>
    public static Dictionary<string, string> OwnDirs(CgroupLayout layout) =>
        layout.Mounts.ToDictionary(m => m.Key, m => Join(m.Value.MountPoint, Below(m.Value, Own(layout, m.Key)), ""));

    static string Own(CgroupLayout layout, string key) =>
        layout.Own.TryGetValue(key, out string? own) ? own : "/";

    /// <summary>The own cgroup relative to what the mount shows: a mount of a sub-tree (nested
    /// containers) has that sub-tree as its root, and /proc/self/cgroup still shows the full path.</summary>
    static string Below(CgroupMount mount, string own)
    {
        string root = mount.Root.TrimEnd('/');
        if (root.Length > 0 && (own == root || own.StartsWith(root + "/", StringComparison.Ordinal))) own = own[root.Length..];
        // Inside a cgroup namespace a cgroup outside its root shows as "/../x": clamp at the root.
        return Normalize(own, out _);
    }

    static string Parent(string relative)
    {
        int slash = relative.LastIndexOf('/');
        return slash < 0 ? "" : relative[..slash];
    }

    static string Join(string mountPoint, string baseDir, string inner)
    {
        string path = mountPoint.TrimEnd('/');
        if (baseDir.Length > 0) path += "/" + baseDir;
        if (inner.Length > 0) path += "/" + inner;
        return path.Length == 0 ? "/" : path;
    }
}
