using CsRun.Linux;

namespace CsRun.Launch.Child;

/// <summary>
/// runc's reOpenDevNull: a stdio fd that is the null device (`run -d` or podman's detached
/// stdin: the host's /dev/null) is replaced by the container's own /dev/null. The host's one
/// lies on a mount the container cannot name, which CRIU cannot dump: with it a container could
/// never be checkpointed. Child code: raw calls only.
/// </summary>
internal static unsafe class ChildDevNull
{
    const ulong NullRdev = 0x103; // 1:3

    public static long Reopen()
    {
        byte* st = stackalloc byte[KStat.Size];
        long devNull = -1;
        for (int fd = 0; fd < 3; fd++)
        {
            if (Libc.Raw(Nr.Fstat, fd, (long)st) < 0 || !IsNull(st)) continue;
            if (devNull < 0)
            {
                devNull = Libc.Raw(Nr.Openat, O.AtFdCwd, (long)"/dev/null\0"u8.AsPointerUnsafe(), O.RdWr | O.NoFollow | O.CloExec);
                if (devNull < 0) return devNull;
                if (Libc.Raw(Nr.Fstat, devNull, (long)st) < 0 || !IsNull(st))
                {
                    Libc.Raw(Nr.Close, devNull);
                    return -ChildErrors.NotDevNull;
                }
            }
            long r = Libc.Raw(Nr.Dup3, devNull, fd, 0);
            if (r < 0)
            {
                Libc.Raw(Nr.Close, devNull);
                return r;
            }
        }
        if (devNull >= 0) Libc.Raw(Nr.Close, devNull);
        return 0;
    }

    static bool IsNull(byte* st) => (*(uint*)(st + KStat.Mode) & S.IfMt) == S.IfChr && *(ulong*)(st + KStat.Rdev) == NullRdev;
}
