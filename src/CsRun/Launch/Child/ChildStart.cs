using CsRun.Linux;

namespace CsRun.Launch.Child;

/// <summary>
/// The init reopens its O_PATH fd of the exec fifo for writing through /proc/self/fd/N. The
/// container's /proc may be missing or something else (a tmpfs, a bind), so the init makes a
/// procfs of its own: a new instance (fsopen) of the container's pid namespace, never attached
/// to any mount namespace, with only the process directories (subset=pid: no /proc/sys, no
/// sysrq-trigger, no kcore), read-only, nosuid, nodev, noexec. Its root has no parent to walk
/// to and shows nothing the container's own /proc would not. It is closed once start has come
/// (<see cref="ChildFds.CloseAfterStart"/>), before the exec.
/// </summary>
internal static unsafe class ChildStart
{
    const long FsopenCloexec = 1, FsconfigSetString = 1, FsconfigCmdCreate = 6, FsmountCloexec = 1;
    const long MountAttrs = 1 /*RDONLY*/ | 2 /*NOSUID*/ | 4 /*NODEV*/ | 8 /*NOEXEC*/;

    /// <summary>Never fails: without a private procfs (a kernel before 5.8, no privilege over the pid
    /// namespace) WaitStart goes through the container's /proc, as before.</summary>
    public static long OpenPrivateProc(ChildContext* ctx)
    {
        long fs = Libc.Raw(Nr.Fsopen, (long)"proc\0"u8.AsPointerUnsafe(), FsopenCloexec);
        if (fs < 0) return 0;
        long r = Libc.Raw(Nr.Fsconfig, fs, FsconfigSetString, (long)"subset\0"u8.AsPointerUnsafe(), (long)"pid\0"u8.AsPointerUnsafe(), 0);
        if (r == 0) r = Libc.Raw(Nr.Fsconfig, fs, FsconfigCmdCreate, 0, 0, 0);
        long mnt = r < 0 ? r : Libc.Raw(Nr.Fsmount, fs, FsmountCloexec, MountAttrs);
        Libc.Raw(Nr.Close, fs);
        if (mnt < 0) return 0;
        if (ctx->ProcFd >= 0) Libc.Raw(Nr.Close, ctx->ProcFd);
        ctx->ProcFd = (int)mnt;
        return 0;
    }
}
