namespace CsRun.Spec;

/// <summary>
/// Capability names (capabilities(7), linux/capability.h) and their numbers. A name that maps
/// to nothing is not a config error: config.md says to log a warning and go on, so the
/// validator accepts it and whoever applies the sets reports it (<see cref="ToMask"/>).
/// </summary>
public static class CapabilityNames
{
    /// <summary>Index = capability number.</summary>
    static readonly string[] Names =
    {
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
        "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE",
        "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE",
        "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT",
        "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
        "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN",
        "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF",
        "CAP_CHECKPOINT_RESTORE",
    };

    static readonly Dictionary<string, int> Numbers = Names.Select((n, i) => (n, i)).ToDictionary(p => p.n, p => p.i);

    /// <summary>The highest capability number this table knows (CAP_LAST_CAP of its headers).</summary>
    public static int Last => Names.Length - 1;

    public static IReadOnlyList<string> All => Names;

    /// <summary>CAP_CHOWN → 0. Names are matched exactly, as the spec spells them.</summary>
    public static bool TryParse(string name, out int number) => Numbers.TryGetValue(name, out number);

    /// <summary>0 → CAP_CHOWN; null for a number this table does not know.</summary>
    public static string? NameOf(int number) => number >= 0 && number < Names.Length ? Names[number] : null;

    /// <summary>The bit mask of a capability set; names that map to nothing go to
    /// <paramref name="unknown"/> for the caller to warn about.</summary>
    public static ulong ToMask(IEnumerable<string>? names, ICollection<string> unknown)
    {
        ulong mask = 0;
        if (names == null) return mask;
        foreach (var name in names)
        {
            if (TryParse(name, out int n)) mask |= 1UL << n;
            else if (!unknown.Contains(name)) unknown.Add(name);
        }
        return mask;
    }
}
