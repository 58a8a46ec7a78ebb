namespace CsRun.Spec.Validation;

/// <summary>ociVersion, root, hostname, domainname.</summary>
internal static class TopLevelRules
{
    // sethostname(2) and setdomainname(2) take at most __NEW_UTS_LEN bytes.
    const int MaxUtsName = 64;

    public static void Validate(Context ctx)
    {
        var c = ctx.Config;
        if (string.IsNullOrEmpty(c.OciVersion)) throw Check.Fail("ociVersion", "must be set");
        ulong? major = SemVerMajor(c.OciVersion);
        if (major == null) throw Check.Fail("ociVersion", $"must be a SemVer version such as 1.0.2 (got \"{c.OciVersion}\")");
        // Versions before 1.0 are read as 1.x, as runc does; a 2.x config may mean other things.
        if (major > 1) throw Check.Fail("ociVersion", $"must be a 1.x version: {c.OciVersion} is newer than this runtime's spec");

        if (c.Root == null) throw Check.Fail("root", "must be set");
        if (string.IsNullOrEmpty(c.Root.Path)) throw Check.Fail("root.path", "must be set");
        Check.NoNul(c.Root.Path, "root.path");

        UtsName(ctx, c.Hostname, "hostname");
        UtsName(ctx, c.Domainname, "domainname");
    }

    static void UtsName(Context ctx, string? name, string path)
    {
        if (string.IsNullOrEmpty(name)) return;
        if (!ctx.Has("uts")) throw Check.Fail(path, Context.Needs("uts"));
        if (System.Text.Encoding.UTF8.GetByteCount(name) > MaxUtsName)
            throw Check.Fail(path, $"must be at most {MaxUtsName} bytes");
    }

    /// <summary>SemVer 2.0.0 (MAJOR.MINOR.PATCH[-prerelease][+build]): the major number, or null.
    /// By hand rather than a Regex, which would weigh on the binary and its start-up.</summary>
    internal static ulong? SemVerMajor(string v)
    {
        static bool Ident(string s) => s.Length > 0 && s.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '.' or '-');
        int plus = v.IndexOf('+');
        if (plus >= 0 && !Ident(v[(plus + 1)..])) return null;
        string core = plus >= 0 ? v[..plus] : v;
        int dash = core.IndexOf('-');
        if (dash >= 0 && !Ident(core[(dash + 1)..])) return null;
        var parts = (dash >= 0 ? core[..dash] : core).Split('.');
        if (parts.Length != 3) return null;
        foreach (var n in parts)
            if (n.Length == 0 || !n.All(char.IsAsciiDigit) || n.Length > 1 && n[0] == '0' || !ulong.TryParse(n, out _)) return null;
        return ulong.Parse(parts[0]);
    }
}
