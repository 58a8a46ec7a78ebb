using CsRun.Errors;


namespace CsRun.Cgroups;

/// <summary>
/// `exec --cgroup [controller[,controller]:]path`, runc's forms: the process joins an existing
/// sub-cgroup of the container's instead of the container's own. Without a controller the path
/// applies to every hierarchy (on v1 and hybrid hosts each must have it, the unified one too);
/// with controllers, to those (v1 only). Keys are controller names, "" for "every one".
/// </summary>
internal static class SubCgroups
{
    public static IReadOnlyDictionary<string, string> Parse(IReadOnlyList<string> args)
    {
        var map = new Dictionary<string, string>();
        foreach (var arg in args)
        {
            int colon = arg.IndexOf(':');
            string controllers = colon < 0 ? "" : arg[..colon];
            string path = colon < 0 ? arg : arg[(colon + 1)..];
            if (path.Length == 0) throw new RuntimeError($"invalid --cgroup argument: {arg}: empty sub-cgroup path");
            string clean = Clean(path) ?? throw new RuntimeError($"invalid --cgroup argument: {arg}: {path} is not a sub cgroup path");
            foreach (var c in controllers.Split(','))
            {
                if (colon >= 0 && c.Length == 0) throw new RuntimeError($"invalid --cgroup argument: {arg}: empty controller name");
                if (!map.TryAdd(c, clean)) throw new RuntimeError($"invalid --cgroup argument(s): {(c.Length == 0 ? "path without a controller" : "controller " + c)} given twice");
            }
        }
        return map;
    }

    /// <summary>"a//b/./c/" → "a/b/c"; null when it climbs above its start or names the cgroup itself.</summary>
    static string? Clean(string path)
    {
        var parts = new List<string>();
        foreach (var part in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == ".") continue;
            if (part == "..")
            {
                if (parts.Count == 0) return null;
                parts.RemoveAt(parts.Count - 1);
                continue;
            }
            parts.Add(part);
        }
        return parts.Count == 0 ? null : string.Join("/", parts);
    }

    /// <summary>
    /// The container's cgroup paths with the sub-cgroups put in: the manager built from them
    /// joins the exec process there. Every sub-cgroup must exist (it is not made: runc's
    /// "(existing) sub-cgroup"); hierarchies mounted together share one directory and move together.
    /// </summary>
    public static Dictionary<string, string> Apply(IReadOnlyDictionary<string, string> paths, IReadOnlyDictionary<string, string> subs)
    {
        var result = new Dictionary<string, string>(paths);
        if (subs.Count == 0) return result;
        bool v2 = paths.Count == 1 && paths.ContainsKey(CgroupLayout.Unified);
        foreach (var c in subs.Keys)
        {
            if (c.Length == 0) continue;
            if (v2) throw new RuntimeError($"invalid --cgroup argument: {c}:{subs[c]}: a controller prefix needs cgroup v1 (this container's cgroup is v2: give the path alone)");
            if (!paths.ContainsKey(c)) throw new RuntimeError($"invalid --cgroup argument: {c}:{subs[c]}: the container has no cgroup for controller {c}");
        }
        // Per directory: a named controller wins over the path given for every one.
        var byDir = new Dictionary<string, string>();
        foreach (var (key, dir) in paths)
        {
            string? sub = key.Length > 0 && subs.TryGetValue(key, out var s) ? s : null;
            if (sub == null && subs.TryGetValue("", out var every)) sub = every;
            if (sub == null) continue;
            if (byDir.TryGetValue(dir, out var other) && other != sub)
                throw new RuntimeError($"invalid --cgroup argument(s): {dir} is shared by several controllers, given both {other} and {sub}");
            byDir[dir] = sub;
        }
        foreach (var (key, dir) in paths)
        {
            if (!byDir.TryGetValue(dir, out var sub)) continue;
            string target = dir.TrimEnd('/') + "/" + sub;
            if (!CgroupDirs.Exists(target))
                throw new RuntimeError($"exec --cgroup: sub-cgroup {target} does not exist");
            result[key] = target;
        }
        return result;
    }
}
