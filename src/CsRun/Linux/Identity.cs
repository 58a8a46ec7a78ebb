namespace CsRun.Linux;

/// <summary>The caller's effective ids (`csrun spec --rootless` maps them to root, as runc does).</summary>
internal static class Identity
{
    const long Geteuid = 107, Getegid = 108;

    public static uint EffectiveUid => (uint)Libc.Sys(Geteuid);
    public static uint EffectiveGid => (uint)Libc.Sys(Getegid);
}
