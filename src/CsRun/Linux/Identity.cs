namespace CsRun.Linux;

/// <summary>The caller's effective ids (`csrun spec --rootless` maps them to root, as runc does).</summary>
internal static class Identity
{
    public static uint EffectiveUid => (uint)Libc.Sys(Nr.Geteuid);
    public static uint EffectiveGid => (uint)Libc.Sys(Nr.Getegid);
}
