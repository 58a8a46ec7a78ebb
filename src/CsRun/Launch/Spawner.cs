using CsRun.Cli;
using CsRun.Linux;

namespace CsRun.Launch;

/// <summary>
/// Clones a child that runs a setup program. The clone is a fork of a multi-threaded runtime:
/// if a GC suspension was under way at that instant, the child would park forever at its first
/// GC poll. Such a suspension always ends in a finished collection, so a moved collection count
/// means the child may be parked: kill it and clone again (DESIGN.md, "fork safety").
/// </summary>
internal static unsafe class Spawner
{
    const int MaxAttempts = 32;

    /// <summary>Children replaced because a collection ran across the clone (for the stress test).</summary>
    public static int Retries { get; private set; }

    /// <summary>Test-only: switch the check off, to show that without it children do hang.</summary>
    internal static bool DetectParkedChildren { get; set; } = true;


    public static int Spawn(SetupProgram program, long cloneFlags, int syncChild, int syncParent)
    {
        var steps = program.Emit();
        var ctx = (ChildContext*)program.Arena.Alloc(sizeof(ChildContext));
        ctx->Steps = steps;
        ctx->Count = program.Steps.Count;
        ctx->SyncFd = syncChild;
        ctx->ParentSyncFd = syncParent;
        ctx->ReadyIndex = program.ReadyIndex;
        for (int attempt = 0; attempt < MaxAttempts; attempt++)
        {
            int before = GC.CollectionCount(0);
            long pid = Libc.Raw(Nr.Clone, cloneFlags | Sig.Chld, 0, 0, 0, 0);
            if (pid == 0)
            {
                Interpreter.Run(ctx);
                Libc.Raw(Nr.ExitGroup, 1);
            }
            if (pid < 0)
                throw new RuntimeError($"clone({NamespaceCompiler.Describe(cloneFlags)}): {Errno.Message((int)-pid)} ({Errno.Name((int)-pid)})");
            // A call with a GC transition: if a collection was requested while we sat in clone,
            // we block here until it has finished, so the count below has seen it.
            Libc.Sys(Nr.Getpid);
            if (GC.CollectionCount(0) == before || !DetectParkedChildren) return (int)pid;
            Retries++;
            Log.Debug($"a collection ran across clone; replacing child {pid}");
            Libc.Sys(Nr.Kill, pid, Sig.Kill);
            Reap((int)pid);
        }
        throw new RuntimeError($"clone: a garbage collection interrupted {MaxAttempts} attempts in a row");
    }

    public static int Reap(int pid)
    {
        int status = 0;
        long r;
        do r = Libc.Sys(Nr.Wait4, pid, (long)&status, 0, 0);
        while (r == -Errno.EINTR);
        return r < 0 ? -1 : status;
    }

    /// <summary>Wait for <paramref name="pid"/> up to <paramref name="timeoutMs"/> (-1: forever). Null on timeout.</summary>
    public static int? WaitWithTimeout(int pid, int timeoutMs)
    {
        if (timeoutMs >= 0)
        {
            long pidfd = Libc.Sys(Nr.PidfdOpen, pid, 0);
            if (pidfd >= 0)
            {
                try
                {
                    if (!Poll((int)pidfd, timeoutMs)) return null;
                }
                finally { Libc.Sys(Nr.Close, pidfd); }
            }
        }
        return Reap(pid);
    }

    public static bool Poll(int fd, int timeoutMs)
    {
        long pfd = 0;
        *(int*)&pfd = fd;
        ((short*)&pfd)[2] = 1; // POLLIN
        long n;
        do n = Libc.Sys(Nr.Poll, (long)&pfd, 1, timeoutMs);
        while (n == -Errno.EINTR);
        return n > 0;
    }

    /// <summary>Exit code the way a shell reports it: status, or 128+signal.</summary>
    public static int ExitCode(int status) =>
        (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f);
}
