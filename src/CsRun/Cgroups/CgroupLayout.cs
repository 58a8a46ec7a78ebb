using System.Text;
using CsRun.Errors;
using CsRun.Linux;

namespace CsRun.Cgroups;

/// <summary>V1: only per-controller hierarchies. Hybrid: those plus a cgroup2 mount (systemd's
/// "unified", usually without controllers). V2: one unified hierarchy.</summary>
internal enum CgroupMode { V1, Hybrid, V2 }

/// <summary>
/// Where a hierarchy is mounted, and which of its cgroups the mount shows as its root (not "/"
/// when a container mounted a sub-tree, as in nested containers without a cgroup namespace).
/// </summary>
internal sealed record CgroupMount(string MountPoint, string Root);

/// <summary>The host's cgroup hierarchies, from /proc/self/mountinfo and /proc/self/cgroup.</summary>
internal sealed class CgroupLayout
{
    public const string Unified = "";

    public CgroupMode Mode { get; }

    /// <summary>
    /// Hierarchy key to mount: each v1 controller ("cpu", "memory", ...) and named hierarchy
    /// ("name=systemd") that csrun's own process is in, and <see cref="Unified"/> ("") for the
    /// cgroup2 mount. Controllers mounted together (cpu,cpuacct) share one mount.
    /// </summary>
    public IReadOnlyDictionary<string, CgroupMount> Mounts { get; }

    /// <summary>csrun's own cgroup per hierarchy key, as /proc/self/cgroup shows it.</summary>
    public IReadOnlyDictionary<string, string> Own { get; }

    CgroupLayout(CgroupMode mode, Dictionary<string, CgroupMount> mounts, Dictionary<string, string> own)
    {
        Mode = mode;
        Mounts = mounts;
        Own = own;
    }

    public static CgroupLayout Detect() => Parse(ReadProc("/proc/self/mountinfo"), ReadProc("/proc/self/cgroup"));

    public static CgroupLayout Parse(string mountinfo, string selfCgroup)
    {
        var own = ParseSelfCgroup(selfCgroup);
        var mounts = new Dictionary<string, CgroupMount>();
        CgroupMount? unified = null;
        foreach (string line in mountinfo.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            // id parent major:minor root mountpoint options [optional...] - fstype source superoptions
            string[] f = line.Split(' ');
            int dash = Array.IndexOf(f, "-");
            if (dash < 6 || dash + 3 >= f.Length) continue;
            var mount = new CgroupMount(Unescape(f[4]), Unescape(f[3]));
            if (f[dash + 1] == "cgroup2")
            {
                // Several cgroup2 mounts (bind mounts): take the canonical one, else the first.
                if (unified == null || mount.MountPoint == "/sys/fs/cgroup") unified = mount;
                continue;
            }
            if (f[dash + 1] != "cgroup") continue;
            // The super options name the controllers among flags (rw, noprefix, xattr ...):
            // keep the names csrun's own process is placed in, the first mount of each.
            foreach (string opt in f[dash + 3].Split(','))
            {
                if (opt.Length > 0 && own.ContainsKey(opt)) mounts.TryAdd(opt, mount);
            }
        }
        CgroupMode mode;
        if (mounts.Count > 0) mode = unified == null ? CgroupMode.V1 : CgroupMode.Hybrid;
        else if (unified != null) mode = CgroupMode.V2;
        else throw new RuntimeError("no cgroup mount found in mountinfo");
        if (unified != null) mounts[Unified] = unified;
        return new CgroupLayout(mode, mounts, own);
    }

    /// <summary>"hierarchy-id:controller,list:path" lines; the v2 line is "0::path".</summary>
    static Dictionary<string, string> ParseSelfCgroup(string text)
    {
        var own = new Dictionary<string, string>();
        foreach (string line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] parts = line.Split(':', 3);
            if (parts.Length < 3) throw new RuntimeError($"invalid cgroup entry: must contain at least two colons: {line}");
            foreach (string name in parts[1].Split(',')) own[name] = parts[2];
        }
        return own;
    }

    /// <summary>mountinfo writes space, tab, newline and backslash as \ooo octal.</summary>
    static string Unescape(string s)
    {
        if (!s.Contains('\\')) return s;
        var sb = new StringBuilder(s.Length);
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] == '\\' && IsOctal(s, i + 1))
            {
                sb.Append((char)((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0')));
                i += 3;
            }
            else sb.Append(s[i]);
        }
        return sb.ToString();
    }

    static bool IsOctal(string s, int at) =>
        at + 2 < s.Length && s[at] is >= '0' and <= '7' && s[at + 1] is >= '0' and <= '7' && s[at + 2] is >= '0' and <= '7';

    static string ReadProc(string path)
    {
        int r = KernelFile.Read(path, out string text);
        if (r < 0) throw new RuntimeError($"read {path}: {Errno.Message(-r)}");
        return text;
    }
}
