using CsRun.Spec;

namespace CsRun.Cgroups;

/// <summary>linux.resources.pids: the same pids.max file on v1 and v2.</summary>
internal static class PidsWriter
{
    const string Field = "linux.resources.pids.limit";

    /// <summary>
    /// A positive limit is written as is, a negative one lifts the limit ("max"), and 0 (which
    /// reaches here only from a config of spec 1.3 or later, <see cref="ForVersion"/>) is a real
    /// limit written as 1, as runc 1.4 writes it: systemd cannot set TasksMax=0, and pids.max 0
    /// would also refuse the init's own clone into the cgroup (CLONE_INTO_CGROUP). With the init
    /// in the cgroup, 1 lets no process fork, which is what 0 asks.
    /// </summary>
    public static void Apply(string? dir, PidsResources? p)
    {
        if (p == null) return;
        string d = CgroupFiles.Need(dir, "pids", Field);
        CgroupFiles.Write(d, "pids.max", Value(p.Limit), Field);
    }

    public static string Value(long limit) => limit > 0 ? CgroupFiles.Num(limit) : limit == 0 ? "1" : "max";

    /// <summary>
    /// Whether `"limit": 0` is a limit for a config of this ociVersion. Spec 1.3 made it one
    /// (config-linux.md: "0 is a valid limit value"); before, the Go model could not tell 0 from
    /// an absent limit and runtimes read 0 as "leave pids.max alone", so configs written by
    /// tools built on an older spec say 0 where they mean nothing. runc 1.4 treats 0 as a
    /// limit whatever the ociVersion; csrun keeps the old meaning for older configs.
    /// </summary>
    public static bool ZeroIsLimit(string? ociVersion)
    {
        if (string.IsNullOrEmpty(ociVersion)) return false;
        var parts = ociVersion.Split('-', '+')[0].Split('.');
        return parts.Length >= 2 && ulong.TryParse(parts[0], out ulong major) && ulong.TryParse(parts[1], out ulong minor)
            && (major > 1 || major == 1 && minor >= 3);
    }

    /// <summary>The resources as csrun applies them for a config of this ociVersion: an old config's
    /// `"limit": 0` is dropped (pids.max left alone), a newer one's stays a limit.</summary>
    public static Resources? ForVersion(Resources? r, string? ociVersion) =>
        r?.Pids is { Limit: 0 } && !ZeroIsLimit(ociVersion) ? r with { Pids = null } : r;
}
