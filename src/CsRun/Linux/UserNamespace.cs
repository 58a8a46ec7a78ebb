namespace CsRun.Linux;

/// <summary>Whether csrun runs inside a user namespace (runc's userns.RunningInUserNS).</summary>
internal static class UserNamespace
{
    /// <summary>The initial user namespace maps every id: its uid_map is "0 0 4294967295".</summary>
    public static bool CallerIsInOne => InUserNamespace.Value;

    static readonly Lazy<bool> InUserNamespace = new(ReadUidMap);

    static bool ReadUidMap()
    {
        if (KernelFile.Read("/proc/self/uid_map", out string map) < 0) return false;
        var f = map.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        return !(f.Length == 3 && f[0] == "0" && f[1] == "0" && f[2] == "4294967295");
    }
}
