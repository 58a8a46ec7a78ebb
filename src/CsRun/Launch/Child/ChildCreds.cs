using CsRun.Linux;

namespace CsRun.Launch.Child;

/// <summary>The child's credential and signal steps (raw syscalls: glibc's set*id would try to
/// broadcast to threads that do not exist in this forked copy).</summary>
internal static unsafe class ChildCreds
{
    const uint CapVersion3 = 0x20080522;

    public static long DropBounding(ulong keep)
    {
        for (int cap = 0; cap < 64; cap++)
        {
            if ((keep & (1UL << cap)) != 0) continue;
            long r = Libc.Raw(Nr.Prctl, Pr.CapbsetDrop, cap);
            if (r == -Errno.EINVAL) break; // past the kernel's last capability
            if (r < 0) return r;
        }
        return 0;
    }

    public static long Capset(ulong effective, ulong permitted, ulong inheritable)
    {
        uint* header = stackalloc uint[2];
        header[0] = CapVersion3;
        header[1] = 0;
        uint* data = stackalloc uint[6];
        data[0] = (uint)effective; data[1] = (uint)permitted; data[2] = (uint)inheritable;
        data[3] = (uint)(effective >> 32); data[4] = (uint)(permitted >> 32); data[5] = (uint)(inheritable >> 32);
        long r = Libc.Raw(Nr.Capset, (long)header, (long)data);
        return r < 0 ? r : 0;
    }

    public static long RaiseAmbient(ulong mask)
    {
        for (int cap = 0; cap < 64; cap++)
        {
            if ((mask & (1UL << cap)) == 0) continue;
            long r = Libc.Raw(Nr.Prctl, Pr.CapAmbient, Pr.CapAmbientRaise, cap, 0, 0);
            if (r < 0) return r;
        }
        return 0;
    }

    /// <summary>Ignored signals survive execve, and .NET ignores SIGPIPE: give the container defaults.</summary>
    public static long ResetSignals()
    {
        long* act = stackalloc long[4];
        act[0] = 0; act[1] = 0; act[2] = 0; act[3] = 0; // SIG_DFL, no flags, empty mask
        for (int sig = 1; sig <= Sig.Max; sig++)
        {
            if (sig == Sig.Kill || sig == Sig.Stop) continue;
            Libc.Raw(Nr.RtSigaction, sig, (long)act, 0, 8);
        }
        ulong empty = 0;
        long r = Libc.Raw(Nr.RtSigprocmask, 2 /*SIG_SETMASK*/, (long)&empty, 0, 8);
        return r < 0 ? r : 0;
    }
}
