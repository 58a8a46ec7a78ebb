using CsRun.Linux;

namespace CsRun.Launch;

/// <summary>
/// The child's side: runs the steps in order, one or a few raw system calls each. It must never
/// allocate, throw or take a lock: it is a fork of a multi-threaded runtime whose other threads
/// are gone. A failing step reports (index, errno) to the parent and the child exits.
/// </summary>
internal static unsafe partial class Interpreter
{
    public static void Run(ChildContext* ctx)
    {
        // Until execve, no process in the container may open our /proc/<pid>/exe, fds, root or
        // memory, whatever the program: create, exec, hooks. A rootless parent must still open
        // our /proc files for the id maps: then a step does it once they are written (runc alike).
        if (ctx->DumpableUntilMaps == 0) Libc.Raw(Nr.Prctl, Pr.SetDumpable, 0);
        Libc.Raw(Nr.Close, ctx->ParentSyncFd);
        long closed = ChildFds.CloseAllBut(ctx->FirstUnkept, ctx->KeepFds, ctx->KeepCount);
        if (closed < 0) Fail(ctx, 0, (int)-closed);
        ctx->RootFd = -1;
        ctx->TargetFd = -1;
        ctx->DevNullFd = -1;
        ctx->TargetMode = -1;
        ctx->CwdDeferred = 0;
        ctx->ProcFd = O.AtFdCwd;
        for (int i = 0; i < ctx->Count; i++)
        {
            NativeStep* s = ctx->Steps + i;
            long r = Execute(ctx, s, i);
            if (r < 0) Fail(ctx, i, (int)-r);
        }
        Fail(ctx, ctx->Count, Errno.EINVAL);
    }

    /// <summary>Report and exit. Past the ready point nobody listens, so say it on stderr too.</summary>
    public static void Fail(ChildContext* ctx, int step, int errno)
    {
        SyncMessage msg = new() { Type = (int)SyncType.Error, Step = step, Errno = errno };
        Libc.Raw(Nr.Sendto, ctx->SyncFd, (long)&msg, sizeof(SyncMessage), SyncChannel.MsgNoSignal, 0, 0);
        if (step >= ctx->ReadyIndex && step < ctx->Count) ChildText.ReportOnStderr(ctx->Steps[step].Desc, errno);
        Libc.Raw(Nr.ExitGroup, 1);
    }

    static long Execute(ChildContext* ctx, NativeStep* s, int index)
    {
        switch ((StepKind)s->Kind)
        {
            case StepKind.SyncSend: return Send(ctx, (int)s->A, (int)s->B);
            case StepKind.SyncWait: return Wait(ctx, (int)s->A);
            case StepKind.SyncReceivePayload: return ReceivePayload(ctx, s->A, (int)s->B);
            case StepKind.Unshare: return Ok(Libc.Raw(Nr.Unshare, s->A));
            case StepKind.Setns: return Ok(Libc.Raw(Nr.Setns, s->A, s->B));
            case StepKind.ForkInit: return ForkInit(ctx);
            case StepKind.Setsid: return Ok(Libc.Raw(Nr.Setsid));
            case StepKind.Prctl: return Ok(Libc.Raw(Nr.Prctl, s->A, s->B, s->C, s->D));
            case StepKind.Sethostname: return Ok(Libc.Raw(Nr.Sethostname, s->A, s->B));
            case StepKind.Setdomainname: return Ok(Libc.Raw(Nr.Setdomainname, s->A, s->B));
            case StepKind.MountHost: return Ok(Libc.Raw(Nr.Mount, s->A, s->B, s->C, s->D, s->E));
            case StepKind.OpenRoot: return OpenRoot(ctx, s->A);
            case StepKind.PrepareTarget: return ChildFs.PrepareTarget(ctx, s->A, (int)s->B);
            case StepKind.MountTarget: return ChildFs.MountOnTarget(ctx, s->A, s->B, s->C, s->E != 0 ? ChildFs.WithCoveredMode(ctx, s->D) : s->D);
            case StepKind.BindTarget: return ChildFs.BindOnTarget(ctx, s->A, s->B);
            case StepKind.RemountTarget: return ChildFs.MountOnTarget(ctx, 0, 0, (long)(Ms.Remount | Ms.Bind) | s->A, 0);
            case StepKind.PropagateTarget: return ChildFs.MountOnTarget(ctx, 0, 0, s->A, 0);
            case StepKind.SetattrTarget: return ChildFs.SetattrTarget(ctx, s->A, s->B, s->C);
            case StepKind.MknodInRoot: return ChildFs.MknodInRoot(ctx, s->A, s->B, (uint)s->C, s->D, s->E);
            case StepKind.SymlinkInRoot: return ChildFs.SymlinkInRoot(ctx, s->A, s->B, s->C);
            case StepKind.PivotRoot: return ChildFs.PivotRoot(ctx, s->A);
            case StepKind.MoveRoot: return ChildFs.MoveRoot(ctx, s->A);
            case StepKind.IsolateRootfsMount: return ChildRootfsMount.Isolate(s->A, s->B);
            case StepKind.HideHostProcAndSysfs: return ChildHostMounts.HideProcAndSysfs(ctx, (byte*)s->A, (int)s->B);
            case StepKind.Chroot: return ChildFs.Chroot(ctx, s->A);
            case StepKind.MaskPath: return ChildFs.MaskPath(ctx, s->A);
            case StepKind.ReadonlyPath: return ChildFs.ReadonlyPath(ctx, s->A);
            case StepKind.RemountRoot: return ChildFs.RemountRoot(s->A);
            case StepKind.WriteFile: return ChildFs.WriteFile(s->A, s->B, (int)s->C, s->D != 0);
            case StepKind.Chdir: return ChildCwd.Chdir(ctx, s->A, (int)s->B);
            case StepKind.VerifyCwd: return ChildFs.VerifyCwd();
            case StepKind.Setrlimit: return SetRlimit((int)s->A, s->B, s->C);
            case StepKind.Personality: return Ok(Libc.Raw(Nr.Personality, s->A));
            case StepKind.Umask: Libc.Raw(Nr.Umask, s->A); return 0;
            case StepKind.DropBounding: return ChildCreds.DropBounding((ulong)s->A);
            case StepKind.Setgroups: return Ok(Libc.Raw(Nr.Setgroups, s->A, s->B));
            case StepKind.Setgid: return Ok(Libc.Raw(Nr.Setresgid, s->A, s->A, s->A));
            case StepKind.Setuid: return Ok(Libc.Raw(Nr.Setresuid, s->A, s->A, s->A));
            case StepKind.Capset: return ChildCreds.Capset((ulong)s->A, (ulong)s->B, (ulong)s->C);
            case StepKind.RaiseAmbient: return ChildCreds.RaiseAmbient((ulong)s->A);
            case StepKind.ResetSignals: return ChildCreds.ResetSignals();
            case StepKind.CloseHostFds: return ChildFds.CloseHostFds(ctx, (int)s->A, (int)s->B);
            case StepKind.ReleaseRuntimeData: Libc.Raw(Nr.Munmap, s->A, s->B); return 0;
            case StepKind.WaitStart: return WaitStart(ctx, s->A, (int)s->B);
            case StepKind.RunHook: return ChildHook.Run(ctx, s->A, s->B, s->C, (int)s->D);
            case StepKind.Seccomp: return Ok(Libc.Raw(Nr.Seccomp, 1 /*SECCOMP_SET_MODE_FILTER*/, s->B, s->A));
            case StepKind.SeccompNotify: return SeccompNotify(ctx, s->A, s->B);
            case StepKind.FindExecutable: return FindExecutable(ctx, (long*)s->A);
            case StepKind.Execve: return Libc.Raw(Nr.Execve, ctx->ExecPath, s->A, s->B);
            case StepKind.SetupConsole: return ChildConsole.Setup(ctx, (int)s->A, s->B, s->C, s->D);
            case StepKind.JoinKeyring: return JoinKeyring(s->A);
            case StepKind.Dup2: return Ok(Portable.Dup2Raw(s->A, s->B));
            case StepKind.OpenHostProc: return OpenHostProc(ctx);
            case StepKind.JoinCgroup: return JoinCgroup(s->A, s->B != 0);
            case StepKind.LoopbackUp: return ChildNet.LoopbackUp();
            case StepKind.SetAffinity: return Ok(Libc.Raw(Nr.SchedSetaffinity, 0, s->B, s->A));
            case StepKind.LookupHome: return ChildPasswd.FindHome(s->A, (uint)s->B);
            case StepKind.FixStdioOwner: return ChildStdio.FixOwner((uint)s->A);
            case StepKind.ReopenDevNull: return ChildDevNull.Reopen();
            case StepKind.OpenPrivateProc: return ChildStart.OpenPrivateProc(ctx);
            case StepKind.ReceiveBindSources: return ChildBindSources.Receive(ctx, (int*)s->A, (int)s->B);
            case StepKind.BindFromSource: return ChildBindSources.Bind(ctx, (int*)s->A, s->B);
            case StepKind.MountTargetCopyUp: return ChildCopyUp.MountOnTarget(ctx, s->A, s->B, s->C, s->E != 0 ? ChildFs.WithCoveredMode(ctx, s->D) : s->D);
            case StepKind.SetScheduler: return ChildSchedule.SetScheduler(s->A);
            case StepKind.SetIoPriority: return ChildSchedule.SetIoPriority(s->A);
            case StepKind.SetMemoryPolicy: return ChildSchedule.SetMemoryPolicy(s->A, s->B, s->C);
            case StepKind.IdmapBind: return ChildIdmap.Bind(ctx, (int*)s->A, s->B, s->C, (int)s->D, s->E != 0);
            default: return -Errno.EINVAL;
        }
    }

    static long Ok(long r) => r < 0 ? r : 0;

    static long Send(ChildContext* ctx, int type, int value)
    {
        SyncMessage msg = new() { Type = type, Value = value };
        long r = Libc.Raw(Nr.Sendto, ctx->SyncFd, (long)&msg, sizeof(SyncMessage), SyncChannel.MsgNoSignal, 0, 0);
        return r < 0 ? r : 0;
    }

    internal static long Wait(ChildContext* ctx, int expected)
    {
        SyncMessage msg;
        long r;
        do r = Libc.Raw(Nr.Read, ctx->SyncFd, (long)&msg, sizeof(SyncMessage));
        while (r == -Errno.EINTR);
        if (r < 0) return r;
        // EOF or a surprise: the parent gave up on us. Leave quietly; it already reported.
        if (r == 0 || msg.Type != expected) Libc.Raw(Nr.ExitGroup, 1);
        return 0;
    }

    static long ReceivePayload(ChildContext* ctx, long buffer, int capacity)
    {
        long r;
        do r = Libc.Raw(Nr.Read, ctx->SyncFd, buffer, capacity);
        while (r == -Errno.EINTR);
        if (r < 0) return r;
        if (r < sizeof(SyncMessage)) Libc.Raw(Nr.ExitGroup, 1);
        ctx->Payload = buffer + sizeof(SyncMessage);
        ctx->PayloadLength = (int)r - sizeof(SyncMessage);
        return 0;
    }

    /// <summary>
    /// The process that unshared a pid namespace is not in it; its next child is pid 1 there.
    /// The new process waits until this one has reported its pid and exited (the pipe's last
    /// write end closes): the parent must know whom to wait for, and which pid the hooks' state
    /// names, before the new process says anything on the shared sync socket.
    /// </summary>
    static long ForkInit(ChildContext* ctx)
    {
        int* gate = stackalloc int[2];
        long r = Libc.Raw(Nr.Pipe2, (long)gate, O.CloExec);
        if (r < 0) return r;
        long pid = Libc.Raw(Nr.Clone, Sig.Chld, 0, 0, 0, 0);
        if (pid < 0) return pid;
        if (pid == 0)
        {
            Libc.Raw(Nr.Close, gate[1]);
            byte b;
            do r = Libc.Raw(Nr.Read, gate[0], (long)&b, 1);
            while (r == -Errno.EINTR);
            Libc.Raw(Nr.Close, gate[0]);
            return 0;
        }
        Send(ctx, (int)SyncType.InitPid, (int)pid);
        Libc.Raw(Nr.ExitGroup, 0);
        return 0;
    }

    /// <summary>SCMP_ACT_NOTIFY: the kernel hands back a listener fd; the parent forwards it to listenerPath.</summary>
    static long SeccompNotify(ChildContext* ctx, long prog, long flags)
    {
        long fd = Libc.Raw(Nr.Seccomp, 1 /*SECCOMP_SET_MODE_FILTER*/, flags | 8 /*NEW_LISTENER*/, prog);
        if (fd < 0) return fd;
        SyncMessage msg = new() { Type = (int)SyncType.SeccompFd };
        long r = ChildConsole.SendWithFd(ctx->SyncFd, (byte*)&msg, sizeof(SyncMessage), (int)fd);
        Libc.Raw(Nr.Close, fd);
        return r < 0 ? r : 0;
    }

    static long JoinKeyring(long name)
    {
        long r = Libc.Raw(Nr.Keyctl, 1 /*KEYCTL_JOIN_SESSION_KEYRING*/, name);
        return r >= 0 || r == -Errno.ENOSYS || r == -122 /*EDQUOT*/ ? 0 : r;
    }

    static long OpenRoot(ChildContext* ctx, long path)
    {
        if (ctx->RootFd >= 0) Libc.Raw(Nr.Close, ctx->RootFd);
        long fd = Libc.Raw(Nr.Openat, O.AtFdCwd, path, O.Path | O.Directory | O.CloExec);
        if (fd < 0) return fd;
        ctx->RootFd = (int)fd;
        return 0;
    }

    static long SetRlimit(int resource, long soft, long hard)
    {
        long* lim = stackalloc long[2];
        lim[0] = soft;
        lim[1] = hard;
        return Ok(Libc.Raw(Nr.Prlimit64, 0, resource, (long)lim, 0));
    }

    static long JoinCgroup(long tasksFile, bool bestEffort)
    {
        long r = ChildFs.WriteFile(tasksFile, (long)"0"u8.AsPointerUnsafe(), 1, false);
        return bestEffort ? 0 : r;
    }

    static long OpenHostProc(ChildContext* ctx)
    {
        long fd = Libc.Raw(Nr.Openat, O.AtFdCwd, (long)"/proc\0"u8.AsPointerUnsafe(), O.Path | O.Directory | O.CloExec);
        if (fd < 0) return fd;
        ctx->ProcFd = (int)fd;
        return 0;
    }

    /// <summary>
    /// The exec fifo: opening it for writing blocks until `csrun start` opens it for reading. The
    /// fd stays open, close-on-exec, so `start` sees EOF once the execve has happened.
    /// <paramref name="fifoPath"/> is "/proc/self/fd/N"; with a procfs fd of our own (OpenPrivateProc,
    /// OpenHostProc) it is resolved from there as "self/fd/N", else in the container's /proc.
    /// </summary>
    static long WaitStart(ChildContext* ctx, long fifoPath, int fifoFd)
    {
        long path = ctx->ProcFd >= 0 ? fifoPath + 6 /* "/proc/" */ : fifoPath;
        long fd;
        do fd = Libc.Raw(Nr.Openat, ctx->ProcFd, path, O.WrOnly | O.CloExec);
        while (fd == -Errno.EINTR);
        if (fd < 0) return fd;
        ChildFds.CloseAfterStart(ctx, fifoFd);
        byte zero = (byte)'0';
        long r = Libc.Raw(Nr.Write, fd, (long)&zero, 1);
        return r < 0 ? r : 0;
    }

    static long FindExecutable(ChildContext* ctx, long* candidates)
    {
        byte* st = stackalloc byte[256];
        long last = -Errno.ENOENT;
        for (; *candidates != 0; candidates++)
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
