using CsRun.Linux;

namespace CsRun.Launch.Child;

/// <summary>
/// startContainer hooks run from the container init itself (they must run in its namespaces,
/// after start): fork, feed the state on stdin, wait with the hook's timeout.
/// </summary>
internal static unsafe class ChildHook
{
    public static long Run(ChildContext* ctx, long path, long argv, long envp, int timeoutSeconds)
    {
        // A socketpair, not a pipe: MSG_NOSIGNAL keeps a hook that ignores stdin from killing us with SIGPIPE.
        int* fds = stackalloc int[2];
        long r = Libc.Raw(Nr.Socketpair, 1 /*AF_UNIX*/, 1 /*SOCK_STREAM*/ | O.CloExec, 0, (long)fds);
        if (r < 0) return r;
        long pid = Libc.Raw(Nr.Clone, Sig.Chld, 0, 0, 0, 0);
        if (pid == 0)
        {
            Portable.Dup2Raw(fds[0], 0);
            Libc.Raw(Nr.Execve, path, argv, envp);
            Libc.Raw(Nr.ExitGroup, 127);
        }
        Libc.Raw(Nr.Close, fds[0]);
        if (pid < 0) { Libc.Raw(Nr.Close, fds[1]); return pid; }
        if (ctx->PayloadLength > 0)
            Libc.Raw(Nr.Sendto, fds[1], ctx->Payload, ctx->PayloadLength, SyncChannel.MsgNoSignal, 0, 0);
        Libc.Raw(Nr.Close, fds[1]);
        return WaitFor((int)pid, timeoutSeconds);
    }

    static long WaitFor(int pid, int timeoutSeconds)
    {
        if (timeoutSeconds > 0)
        {
            long pidfd = Libc.Raw(Nr.PidfdOpen, pid, 0);
            if (pidfd >= 0)
            {
                long* pfd = stackalloc long[1];
                *(int*)pfd = (int)pidfd;
                ((short*)pfd)[2] = 1; // POLLIN
                ((short*)pfd)[3] = 0;
                long n;
                do n = Portable.PollRaw(pfd, 1, timeoutSeconds * 1000L);
                while (n == -Errno.EINTR);
                Libc.Raw(Nr.Close, pidfd);
                if (n == 0)
                {
                    Libc.Raw(Nr.Kill, pid, Sig.Kill);
                    Reap(pid);
                    return -ChildErrors.HookTimedOut;
                }
            }
        }
        // Under the container's seccomp filter wait4 may be denied: an error naming it, not a
        // "status 0" success that would exec the process while the hook may still run (runc
        // 1.1.5's Go runtime waits where the filter does not reach: README, departures).
        long status = Reap(pid);
        if (status < 0) return -(ChildErrors.HookWaitFailedBase - status);
        if (status == 0) return 0;
        int code = (status & 0x7f) == 0 ? (int)(status >> 8) & 0xff : 128 + (int)(status & 0x7f);
        return -(ChildErrors.HookFailedBase + code);
    }

    /// <summary>The wait status, or -errno if wait4 failed.</summary>
    static long Reap(int pid)
    {
        int status = 0;
        long r;
        r = Libc.RawRetry(Nr.Wait4, pid, (long)&status, 0, 0);
        return r < 0 ? r : status;
    }
}
