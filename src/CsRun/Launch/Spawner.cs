using CsRun.Diagnostics;
using CsRun.Errors;
using CsRun.Linux;

namespace CsRun.Launch;

/// <summary>
/// Clones a child that runs a setup program. The clone is a fork of a multi-threaded runtime:
/// if a GC suspension was under way at that instant, the child would park forever at its first
/// GC poll. Such a suspension always ends in a finished collection, so a moved collection count
/// means the child may be parked: kill it and clone again (docs/design.md, "The child's rules").
/// </summary>
internal static unsafe class Spawner
{
    const int MaxAttempts = 32;

    /// <summary>Children replaced because a collection ran across the clone (for the stress test).</summary>
    public static int Retries { get; private set; }

    /// <summary>Test-only: switch the check off, to show that without it children do hang.</summary>
    internal static bool DetectParkedChildren { get; set; } = true;


    public static int Spawn(SetupProgram program, long cloneFlags, int syncChild, int syncParent) =>
        Spawn(program, cloneFlags, syncChild, syncParent, null, out _);

    /// <summary>
    /// As above; with <paramref name="cgroupDir"/> (a cgroup v2 directory) the child is born in
    /// that cgroup (clone3 CLONE_INTO_CGROUP), which <paramref name="intoCgroup"/> reports. A
    /// kernel or cgroup that refuses it gets a plain clone, and the caller joins the cgroup.
    /// </summary>
    public static int Spawn(SetupProgram program, long cloneFlags, int syncChild, int syncParent, string? cgroupDir, out bool intoCgroup)
    {
        int cgroupFd = cgroupDir != null ? Files.TryOpen(cgroupDir, O.Path | O.Directory | O.CloExec) : -1;
        try
        {
            int pid = Spawn(program, cloneFlags, syncChild, syncParent, cgroupFd, out intoCgroup);
            if (cgroupDir != null) Log.Debug(intoCgroup ? $"cloned {pid} into cgroup {cgroupDir}" : $"clone3 into cgroup {cgroupDir} refused; {pid} joins it");
            return pid;
        }
        finally { Files.Close(cgroupFd); }
    }

    static int Spawn(SetupProgram program, long cloneFlags, int syncChild, int syncParent, int cgroupFd, out bool intoCgroup)
    {
        var steps = program.Emit();
        var ctx = (ChildContext*)program.Arena.Alloc(sizeof(ChildContext));
        ctx->Steps = steps;
        ctx->Count = program.Steps.Count;
        ctx->SyncFd = syncChild;
        ctx->ParentSyncFd = syncParent;
        ctx->ReadyIndex = program.ReadyIndex;
        ctx->DumpableUntilMaps = program.DumpableUntilMaps ? 1 : 0;
        var keep = program.FdsToKeep(syncChild);
        ctx->KeepFds = (int*)program.Arena.Alloc(sizeof(int) * Math.Max(1, keep.Count));
        for (int i = 0; i < keep.Count; i++) ctx->KeepFds[i] = keep[i];
        ctx->KeepCount = keep.Count;
        ctx->FirstUnkept = 3 + program.PreservedFds;
        for (int attempt = 0; attempt < MaxAttempts; attempt++)
        {
            int before = GC.CollectionCount(0);
            long pid = cgroupFd >= 0 ? CloneIntoCgroup(cloneFlags, cgroupFd) : -Errno.ENOSYS;
            intoCgroup = pid >= 0;
            if (pid < 0 && (cgroupFd < 0 || RefusedIntoCgroup(pid)))
                pid = Libc.Raw(Nr.Clone, cloneFlags | Sig.Chld, 0, 0, 0, 0);
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

    const long CloneIntoCgroupFlag = 0x200000000;

    /// <summary>clone3 with fork semantics (no new stack) into the cgroup; the child returns 0.</summary>
    static long CloneIntoCgroup(long flags, int cgroupFd)
    {
        // struct clone_args: flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size,
        // tls, set_tid, set_tid_size, cgroup (CLONE_ARGS_SIZE_VER2, 88 bytes).
        long* args = stackalloc long[11];
        for (int i = 0; i < 11; i++) args[i] = 0;
        args[0] = flags | CloneIntoCgroupFlag;
        args[4] = Sig.Chld;
        args[10] = cgroupFd;
        return Libc.Raw(Nr.Clone3, (long)args, 11 * sizeof(long));
    }

    /// <summary>Errors that mean "not this way" rather than "no child can be made".</summary>
    static bool RefusedIntoCgroup(long err) =>
        err is -Errno.ENOSYS or -Errno.E2BIG or -Errno.EINVAL or -Errno.EOPNOTSUPP or -Errno.EBUSY or -Errno.EACCES or -Errno.EPERM;

    public static int Reap(int pid)
    {
        int status = 0;
        long r;
        r = Libc.SysRetry(Nr.Wait4, pid, (long)&status, 0, 0);
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
        do n = Portable.Poll(&pfd, 1, timeoutMs);
        while (n == -Errno.EINTR);
        return n > 0;
    }

    /// <summary>Exit code the way a shell reports it: status, or 128+signal.</summary>
    public static int ExitCode(int status) =>
        (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f);
}
