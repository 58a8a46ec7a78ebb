namespace CsRun.Tests.Integration;

/// <summary>What each mount option `csrun features` lists does to a mount, as the container's
/// /proc/self/mountinfo shows it (seen the same with runc 1.1.5 here). Tokens are the mount's
/// own options (`nosuid`), the superblock's with `sb:` (`sb:sync`) and the optional fields;
/// a token ending in ':' matches any field it starts (`shared:`, `master:`).</summary>
internal static class MountOptionEffects
{
    public sealed record Effect(string[] Options, string[] Present, string[] Absent);

    static Effect Sets(string token, params string[] options) => new(options, new[] { token }, Array.Empty<string>());
    static Effect Clears(string token, params string[] options) => new(options, Array.Empty<string>(), new[] { token });

    /// <summary>On a fresh tmpfs; an option that clears a flag follows the one that sets it.</summary>
    public static readonly Dictionary<string, Effect> Flag = new()
    {
        ["ro"] = Sets("ro", "ro"),
        ["rw"] = new(new[] { "ro", "rw" }, new[] { "rw" }, new[] { "ro" }),
        ["nosuid"] = Sets("nosuid", "nosuid"),
        ["suid"] = Clears("nosuid", "nosuid", "suid"),
        ["nodev"] = Sets("nodev", "nodev"),
        ["dev"] = Clears("nodev", "nodev", "dev"),
        ["noexec"] = Sets("noexec", "noexec"),
        ["exec"] = Clears("noexec", "noexec", "exec"),
        ["noatime"] = new(new[] { "noatime" }, new[] { "noatime" }, new[] { "relatime" }),
        ["atime"] = Clears("noatime", "noatime", "atime"),
        ["strictatime"] = new(new[] { "strictatime" }, Array.Empty<string>(), new[] { "relatime", "noatime" }),
        // Clearing strictatime leaves the kernel's default, relatime. relatime itself
        // is that default on a new mount (the kernel ignores MS_RELATIME there, noatime wins over
        // it): MountOptionEffectTests shows it on a bind of a noatime mount instead.
        ["nostrictatime"] = Sets("relatime", "strictatime", "nostrictatime"),
        ["nodiratime"] = Sets("nodiratime", "nodiratime"),
        ["diratime"] = Clears("nodiratime", "nodiratime", "diratime"),
        ["nosymfollow"] = Sets("nosymfollow", "nosymfollow"),
        ["symfollow"] = Clears("nosymfollow", "nosymfollow", "symfollow"),
        ["sync"] = Sets("sb:sync", "sync"),
        ["async"] = Clears("sb:sync", "sync", "async"),
        ["dirsync"] = Sets("sb:dirsync", "dirsync"),
        ["lazytime"] = Sets("sb:lazytime", "lazytime"),
        ["nolazytime"] = Clears("sb:lazytime", "lazytime", "nolazytime"),
        ["mand"] = Sets("sb:mand", "mand"),
        ["nomand"] = Clears("sb:mand", "mand", "nomand"),
    };

    /// <summary>With rbind, on the submount of a host directory: `set` has a plain tmpfs there,
    /// `clear` one mounted ro,nosuid,nodev,noexec,noatime,nodiratime,nosymfollow.</summary>
    public static readonly Dictionary<string, (bool OnClear, Effect Effect)> Recursive = new()
    {
        ["rro"] = (false, Sets("ro", "rro")),
        ["rrw"] = (true, new(new[] { "rrw" }, new[] { "rw" }, new[] { "ro" })),
        ["rnosuid"] = (false, Sets("nosuid", "rnosuid")),
        ["rsuid"] = (true, Clears("nosuid", "rsuid")),
        ["rnodev"] = (false, Sets("nodev", "rnodev")),
        ["rdev"] = (true, Clears("nodev", "rdev")),
        ["rnoexec"] = (false, Sets("noexec", "rnoexec")),
        ["rexec"] = (true, Clears("noexec", "rexec")),
        ["rnoatime"] = (false, new(new[] { "rnoatime" }, new[] { "noatime" }, new[] { "relatime" })),
        ["ratime"] = (true, Clears("noatime", "ratime")),
        ["rrelatime"] = (true, new(new[] { "rrelatime" }, new[] { "relatime" }, new[] { "noatime" })),
        ["rstrictatime"] = (true, new(new[] { "rstrictatime" }, Array.Empty<string>(), new[] { "relatime", "noatime" })),
        // The atime mode is one field: clearing relatime or strictatime resets it to the default.
        ["rnorelatime"] = (true, new(new[] { "rnorelatime" }, new[] { "relatime" }, new[] { "noatime" })),
        ["rnostrictatime"] = (true, new(new[] { "rnostrictatime" }, new[] { "relatime" }, new[] { "noatime" })),
        ["rnodiratime"] = (false, Sets("nodiratime", "rnodiratime")),
        ["rdiratime"] = (true, Clears("nodiratime", "rdiratime")),
        ["rnosymfollow"] = (false, Sets("nosymfollow", "rnosymfollow")),
        ["rsymfollow"] = (true, Clears("nosymfollow", "rsymfollow")),
    };

    /// <summary>With rbind, of a host directory that is a shared mount with a shared submount
    /// (so the container's copy starts as a slave, `master:`): on the mount itself, or with
    /// `r` on its submount. `slave` follows `shared` to show it turns a shared mount into a slave.</summary>
    public static readonly Dictionary<string, (bool OnSub, Effect Effect)> Propagation = new()
    {
        ["private"] = (false, new(new[] { "private" }, Array.Empty<string>(), new[] { "shared:", "master:" })),
        ["shared"] = (false, Sets("shared:", "shared")),
        ["slave"] = (false, new(new[] { "shared", "slave" }, new[] { "master:" }, new[] { "shared:" })),
        ["unbindable"] = (false, Sets("unbindable", "unbindable")),
        ["rprivate"] = (true, new(new[] { "rprivate" }, Array.Empty<string>(), new[] { "shared:", "master:" })),
        ["rshared"] = (true, Sets("shared:", "rshared")),
        ["rslave"] = (true, new(new[] { "rshared", "rslave" }, new[] { "master:" }, new[] { "shared:" })),
        ["runbindable"] = (true, Sets("unbindable", "runbindable")),
    };

    /// <summary>The tokens of the mountinfo line whose mount point is <paramref name="target"/>.</summary>
    public static HashSet<string>? TokensOf(string mountinfo, string target)
    {
        foreach (var line in mountinfo.Split('\n'))
        {
            var f = line.Split(' ');
            if (f.Length < 10 || f[4] != target) continue;
            int dash = Array.IndexOf(f, "-");
            var tokens = new HashSet<string>(f[5].Split(','));
            for (int i = 6; i < dash; i++) tokens.Add(f[i]);
            foreach (var o in f[dash + 3].Split(',')) tokens.Add("sb:" + o);
            return tokens;
        }
        return null;
    }

    /// <summary>What is wrong with a mount's tokens for <paramref name="e"/>, or null.</summary>
    public static string? Check(HashSet<string>? tokens, Effect e)
    {
        if (tokens == null) return "not mounted";
        bool Has(string t) => t.EndsWith(':') ? tokens.Any(x => x.StartsWith(t)) : tokens.Contains(t);
        var wrong = e.Present.Where(t => !Has(t)).Select(t => $"lacks {t}")
            .Concat(e.Absent.Where(Has).Select(t => $"has {t}")).ToList();
        return wrong.Count == 0 ? null : $"{string.Join(", ", wrong)} (mountinfo: {string.Join(" ", tokens)})";
    }
}
