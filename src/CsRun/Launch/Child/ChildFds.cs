using CsRun.Linux;

namespace CsRun.Launch.Child;

/// <summary>
/// The child's file descriptors. It is a fork of csrun, so it starts with every fd csrun had:
/// the cgroup directory for clone3, the state directory's files, whatever csrun's caller leaked.
/// A directory fd of the host is a way out of the container (`/proc/self/fd/N/..` while execve
/// resolves a path, CVE-2024-21626), and any fd is readable through /proc/&lt;pid&gt;/fd by a
/// process allowed to trace us. So they are closed, not marked close-on-exec: first everything
/// the program does not use, then, before the exec, everything but what the exec still needs.
/// </summary>
internal static unsafe class ChildFds
{
    /// <summary>Close every fd from <paramref name="first"/> on except the <paramref name="count"/>
    /// in <paramref name="keep"/>, which is sorted ascending.</summary>
    public static long CloseAllBut(int first, int* keep, int count)
    {
        long from = first;
        for (int i = 0; i < count; i++)
        {
            if (keep[i] < from) continue;
            if (keep[i] > from)
            {
                long r = Libc.Raw(Nr.CloseRange, from, keep[i] - 1, 0);
                if (r < 0) return r;
            }
            from = keep[i] + 1L;
        }
        return Libc.Raw(Nr.CloseRange, from, uint.MaxValue, 0);
    }

    /// <summary>
    /// Before the exec: the child's own fds of the rootfs and mount targets are closed; of the rest
    /// from <paramref name="first"/> (past stdio and the preserved fds) only the sync socket, the
    /// exec fifo (<paramref name="fifoFd"/>, which WaitStart still opens) and the procfs it opens it
    /// through (a private one, or the host's without a mount namespace) stay, close-on-exec; neither a socket nor a fifo can be walked out of.
    /// </summary>
    public static long CloseHostFds(ChildContext* ctx, int first, int fifoFd)
    {
        CloseOwn(&ctx->RootFd);
        CloseOwn(&ctx->TargetFd);
        CloseOwn(&ctx->DevNullFd);
        int* keep = stackalloc int[3];
        int n = 0;
        Insert(keep, ref n, ctx->SyncFd);
        if (fifoFd >= 0) Insert(keep, ref n, fifoFd);
        if (ctx->ProcFd >= 0) Insert(keep, ref n, ctx->ProcFd);
        long r = CloseAllBut(first, keep, n);
        if (r < 0) return r;
        r = Libc.Raw(Nr.CloseRange, first, uint.MaxValue, 4 /*CLOSE_RANGE_CLOEXEC*/);
        return r < 0 ? r : 0;
    }

    /// <summary>After the wait for start: the fifo's O_PATH fd and the procfs are done with.</summary>
    public static void CloseAfterStart(ChildContext* ctx, int fifoFd)
    {
        if (fifoFd >= 0) Libc.Raw(Nr.Close, fifoFd);
        CloseOwn(&ctx->ProcFd);
        ctx->ProcFd = O.AtFdCwd;
    }

    static void CloseOwn(int* fd)
    {
        if (*fd >= 0) Libc.Raw(Nr.Close, *fd);
        *fd = -1;
    }

    static void Insert(int* keep, ref int n, int fd)
    {
        int i = n++;
        while (i > 0 && keep[i - 1] > fd) { keep[i] = keep[i - 1]; i--; }
        keep[i] = fd;
    }
}
