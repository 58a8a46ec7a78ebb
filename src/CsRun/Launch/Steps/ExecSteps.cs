using CsRun.Launch.Child;
using CsRun.Linux;
using static CsRun.Launch.StepResult;

namespace CsRun.Launch;

/// <summary>Close every fd from <see cref="First"/> but the sync socket, the fifo and the host's /proc (<see cref="ChildFds"/>).</summary>
internal unsafe struct CloseHostFdsStep
{
    /// <summary>The first fd past stdio and the preserved ones.</summary>
    public int First;
    /// <summary>The exec fifo's fd, or -1.</summary>
    public int FifoFd;

    public static Step Emit(SetupProgram p, string field, string text, int first, int fifoFd) =>
        p.Add(StepKind.CloseHostFds, field, text, new CloseHostFdsStep { First = first, FifoFd = fifoFd });

    public static long Execute(ChildContext* ctx, NativeStep* s)
    {
        var a = (CloseHostFdsStep*)&s->Args;
        return ChildFds.CloseHostFds(ctx, a->First, a->FifoFd);
    }
}

/// <summary>Unmap the runtime's rehydrated type data (<see cref="RuntimeData"/>) before the init
/// waits for start; a failure only costs memory and is ignored.</summary>
internal unsafe struct ReleaseRuntimeDataStep
{
    public long Start, Length;

    public static Step Emit(SetupProgram p, string field, string text, long start, long length) =>
        p.Add(StepKind.ReleaseRuntimeData, field, text, new ReleaseRuntimeDataStep { Start = start, Length = length });

    public static long Execute(ChildContext* ctx, NativeStep* s)
    {
        var a = (ReleaseRuntimeDataStep*)&s->Args;
        Libc.Raw(Nr.Munmap, a->Start, a->Length);
        return 0;
    }
}

/// <summary>
/// The exec fifo: opening it for writing blocks until `csrun start` opens it for reading. The
/// fd stays open, close-on-exec, so `start` sees EOF once the execve has happened.
/// <see cref="FifoPath"/> is "/proc/self/fd/N"; with a procfs fd of our own (OpenPrivateProc,
/// OpenHostProc) it is resolved from there as "self/fd/N", else in the container's /proc.
/// </summary>
internal unsafe struct WaitStartStep
{
    public long FifoPath;
    /// <summary>The fifo's fd, closed once the path is opened.</summary>
    public int FifoFd;

    public static Step Emit(SetupProgram p, string field, string text, long fifoPath, int fifoFd) =>
        p.Add(StepKind.WaitStart, field, text, new WaitStartStep { FifoPath = fifoPath, FifoFd = fifoFd });

    public static long Execute(ChildContext* ctx, NativeStep* s)
    {
        var a = (WaitStartStep*)&s->Args;
        long path = ctx->ProcFd >= 0 ? a->FifoPath + 6 /* "/proc/" */ : a->FifoPath;
        long fd;
        fd = Libc.RawRetry(Nr.Openat, ctx->ProcFd, path, O.WrOnly | O.CloExec);
        if (fd < 0) return fd;
        ChildFds.CloseAfterStart(ctx, a->FifoFd);
        byte zero = (byte)'0';
        return Ok(Libc.Raw(Nr.Write, fd, (long)&zero, 1));
    }
}

/// <summary>Run a startContainer hook and wait for it (<see cref="ChildHook"/>).</summary>
internal unsafe struct RunHookStep
{
    public long Path, Argv, Envp;
    public int TimeoutSeconds;

    public static Step Emit(SetupProgram p, string field, string text, long path, long argv, long envp, int timeoutSeconds) =>
        p.Add(StepKind.RunHook, field, text, new RunHookStep { Path = path, Argv = argv, Envp = envp, TimeoutSeconds = timeoutSeconds });

    public static long Execute(ChildContext* ctx, NativeStep* s)
    {
        var a = (RunHookStep*)&s->Args;
        return ChildHook.Run(ctx, a->Path, a->Argv, a->Envp, a->TimeoutSeconds);
    }
}

/// <summary>Load a seccomp filter; with a notify listener (SCMP_ACT_NOTIFY, kind SeccompNotify)
/// the kernel hands back its fd, which goes to the parent to forward to listenerPath.</summary>
internal unsafe struct SeccompLoadStep
{
    /// <summary>struct sock_fprog.</summary>
    public long Program;
    public long Flags;

    /// <summary>The step, not yet in the program: the compiler places it (before or after the capability drop).</summary>
    public static Step Make(string field, string text, long program, long flags, bool notify) =>
        Step.Of(notify ? StepKind.SeccompNotify : StepKind.Seccomp, field, text, new SeccompLoadStep { Program = program, Flags = flags });

    public static long Execute(ChildContext* ctx, NativeStep* s)
    {
        var a = (SeccompLoadStep*)&s->Args;
        return Ok(Libc.Raw(Nr.Seccomp, 1 /*SECCOMP_SET_MODE_FILTER*/, a->Flags, a->Program));
    }

    public static long ExecuteNotify(ChildContext* ctx, NativeStep* s)
    {
        var a = (SeccompLoadStep*)&s->Args;
        long fd = Libc.Raw(Nr.Seccomp, 1 /*SECCOMP_SET_MODE_FILTER*/, a->Flags | 8 /*NEW_LISTENER*/, a->Program);
        if (fd < 0) return fd;
        SyncMessage msg = new() { Type = (int)SyncType.SeccompFd };
        long r = ChildConsole.SendWithFd(ctx->SyncFd, (byte*)&msg, sizeof(SyncMessage), (int)fd);
        Libc.Raw(Nr.Close, fd);
        return Ok(r);
    }
}

/// <summary>The first executable of a NULL-terminated array of candidate paths is what Execve runs.</summary>
internal unsafe struct FindExecutableStep
{
    public long* Candidates;

    /// <param name="subject">The executable as named, for the error message.</param>
    public static Step Emit(SetupProgram p, string field, string text, long candidates, string? subject = null) =>
        p.Add(StepKind.FindExecutable, field, text, new FindExecutableStep { Candidates = (long*)candidates }, subject);

    public static long Execute(ChildContext* ctx, NativeStep* s)
    {
        byte* st = stackalloc byte[256];
        long last = -Errno.ENOENT;
        for (long* candidates = ((FindExecutableStep*)&s->Args)->Candidates; *candidates != 0; candidates++)
        {
            long r = Libc.Raw(Nr.Newfstatat, O.AtFdCwd, *candidates, (long)st);
            if (r < 0) { last = r; continue; }
            uint mode = *(uint*)(st + KStat.Mode);
            if ((mode & S.IfMt) != S.IfReg) { last = -Errno.EACCES; continue; }
            r = Libc.Raw(Nr.Faccessat, O.AtFdCwd, *candidates, 1 /*X_OK*/);
            if (r < 0) { last = r; continue; }
            ctx->ExecPath = *candidates;
            return 0;
        }
        return last;
    }
}

/// <summary>execve what FindExecutable chose.</summary>
internal unsafe struct ExecveStep
{
    public long Argv, Envp;

    public static Step Emit(SetupProgram p, string field, string text, long argv, long envp) =>
        p.Add(StepKind.Execve, field, text, new ExecveStep { Argv = argv, Envp = envp });

    public static long Execute(ChildContext* ctx, NativeStep* s)
    {
        var a = (ExecveStep*)&s->Args;
        return Libc.Raw(Nr.Execve, ctx->ExecPath, a->Argv, a->Envp);
    }
}

/// <summary>dup2 a parent's fd onto another (hooks' stdin, a helper's stdout).</summary>
internal unsafe struct Dup2Step
{
    public int From, To;

    public static Step Emit(SetupProgram p, string field, string text, int from, int to) =>
        p.Add(StepKind.Dup2, field, text, new Dup2Step { From = from, To = to });

    public static long Execute(ChildContext* ctx, NativeStep* s)
    {
        var a = (Dup2Step*)&s->Args;
        return Ok(Portable.Dup2Raw(a->From, a->To));
    }
}
