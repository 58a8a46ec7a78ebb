using CsRun.Errors;
using CsRun.Linux;

namespace CsRun.Cgroups;

/// <summary>
/// The rootless cgroup manager's choice (runc's fs manager with Rootless set): a hierarchy is
/// used where the caller can make or join the container's cgroup (a delegated subtree, a
/// writable v1 directory); without linux.cgroupsPath the others are left out, their reason
/// kept for the error of a resource that would need them. A cgroupsPath that was asked for
/// is never left out: its errors stay errors, as in runc.
/// </summary>
internal static class RootlessCgroups
{
    const long AtEaccess = 0x200, WOk = 2, XOk = 1;

    /// <param name="own">csrun's own cgroup in each hierarchy: where the container stays when
    /// it has none there, and what its cgroup mount shows of that hierarchy.</param>
    public static LostCgroups Filter(Dictionary<string, string> paths, bool explicitPath, IReadOnlyDictionary<string, string> own)
    {
        var lost = new LostCgroups();
        if (explicitPath) return lost;
        foreach (var (key, dir) in paths.ToList())
        {
            if (Unusable(dir) is not string why) continue;
            paths.Remove(key);
            lost.Add(key, dir, why, own[key]);
        }
        return lost;
    }

    /// <summary>Why the caller cannot make or join <paramref name="dir"/>, as the failing call would say it; null if it can.</summary>
    static string? Unusable(string dir)
    {
        if (CgroupDirs.Exists(dir))
        {
            string procs = CgroupFiles.PathOf(dir, "cgroup.procs");
            int e = Access(procs, WOk);
            return e == 0 ? null : $"open {procs}: {Errno.Message(e)}";
        }
        for (string? d = Path.GetDirectoryName(dir); !string.IsNullOrEmpty(d); d = Path.GetDirectoryName(d))
        {
            if (!CgroupDirs.Exists(d)) continue;
            int e = Access(d, WOk | XOk);
            return e == 0 ? null : $"mkdir {dir}: {Errno.Message(e)}";
        }
        return $"mkdir {dir}: {Errno.Message(Errno.ENOENT)}";
    }

    /// <summary>faccessat2 with AT_EACCESS: the effective ids decide, as for the mkdir or write itself.</summary>
    static unsafe int Access(string path, long mode)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(path + "\0");
        long r;
        fixed (byte* p = bytes) r = Libc.Sys(Nr.Faccessat2, -100 /*AT_FDCWD*/, (long)p, mode, AtEaccess);
        return (int)-r;
    }
}

/// <summary>Hierarchies a rootless container was given no cgroup in, each with why.</summary>
internal sealed class LostCgroups
{
    readonly Dictionary<string, (string Dir, string Why, string Stay)> _lost = new();

    public int Count => _lost.Count;

    public void Add(string key, string dir, string why, string stay) => _lost[key] = (dir, why, stay);

    /// <summary>The hierarchy's cgroup the container stays in: the caller's own.</summary>
    public IEnumerable<(string Key, string Dir)> Stays => _lost.Select(l => (l.Key, l.Value.Stay));

    public string Dir(string key) => _lost[key].Dir;

    /// <summary>
    /// Runs a resource writer on the hierarchy. A lost one is given the directory it would have
    /// had: a writer with nothing to set writes nothing, one with a value fails on the missing
    /// files, and that failure is told as what it is.
    /// </summary>
    public void Write(string key, string? dir, Action<string?> writer)
    {
        if (!_lost.TryGetValue(key, out var lost))
        {
            writer(dir);
            return;
        }
        try { writer(lost.Dir); }
        catch (RuntimeError e)
        {
            int colon = e.Message.IndexOf(": ", StringComparison.Ordinal);
            string field = colon > 0 && e.Message.StartsWith("linux.", StringComparison.Ordinal) ? e.Message[..colon] + ": " : "";
            string name = key == CgroupLayout.Unified ? "cgroup v2" : key;
            throw new RuntimeError($"{field}cannot set {name} limit: rootless container could not join or create cgroup: {lost.Why}");
        }
    }
}
