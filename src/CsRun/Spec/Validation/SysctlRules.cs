namespace CsRun.Spec.Validation;

/// <summary>
/// linux.sysctl: /proc/sys is only partly namespaced, so a key may be set only when the
/// container has the namespace that owns it; otherwise the write would change the host
/// (runc's rules, in its words where they fit).
/// </summary>
internal static class SysctlRules
{
    static readonly System.Buffers.SearchValues<char> Separators = System.Buffers.SearchValues.Create("./");

    /// <summary>Keys owned by the ipc namespace, besides fs.mqueue.*.</summary>
    static readonly string[] IpcKeys =
    {
        "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem", "kernel.shmall", "kernel.shmmax",
        "kernel.shmmni", "kernel.shm_rmid_forced",
    };

    public static void Validate(Context ctx)
    {
        var sysctl = ctx.Linux.Sysctl;
        if (sysctl == null) return;
        foreach (var rawKey in sysctl.Keys)
        {
            string key = Dotted(rawKey);
            string at = Check.Key("linux.sysctl", rawKey);
            if (IpcKeys.Contains(key) || key.StartsWith("fs.mqueue.", StringComparison.Ordinal))
            {
                if (!ctx.Has("ipc")) throw Check.Fail(at, Context.Needs("ipc"));
            }
            else if (key.StartsWith("net.", StringComparison.Ordinal))
            {
                // A joined network namespace may still be the host's: HostRules looks at it.
                if (!ctx.Has("network")) throw Check.Fail(at, Context.Needs("network"));
            }
            else if (key == "kernel.domainname" && ctx.Has("uts"))
            {
                // Namespaced, and the spec has no field of its own for it.
            }
            else if (key == "kernel.hostname" && ctx.Has("uts"))
            {
                throw Check.Fail(at, "conflicts with the hostname field: set that instead");
            }
            else if (key.StartsWith("user.", StringComparison.Ordinal))
            {
                // Per user namespace counts; without one they would limit the whole host.
                if (!ctx.Has("user")) throw Check.Fail(at, Context.Needs("user"));
            }
            else
            {
                throw Check.Fail(at, "is not in a separate kernel namespace, so a container must not set it");
            }
        }
    }

    /// <summary>sysctl(8) also takes '/' as the separator ("net/ipv4/conf/eth0.100/rp_filter");
    /// then a '.' is part of a name. Turn such a key into the dotted form.</summary>
    internal static string Dotted(string key)
    {
        int first = key.AsSpan().IndexOfAny(Separators);
        if (first < 0 || key[first] == '.') return key;
        return string.Create(key.Length, key, (span, k) =>
        {
            for (int i = 0; i < k.Length; i++) span[i] = k[i] == '/' ? '.' : k[i] == '.' ? '/' : k[i];
        });
    }
}
