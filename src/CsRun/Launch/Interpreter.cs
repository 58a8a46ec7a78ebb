using CsRun.Launch.Child;
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
            long r = Execute(ctx, s);
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

    /// <summary>Only dispatch: each step's arguments and work are its own type's (Launch/Steps).</summary>
    static long Execute(ChildContext* ctx, NativeStep* s) => (StepKind)s->Kind switch
    {
        StepKind.SyncSend => SyncSendStep.Execute(ctx, s),
        StepKind.SyncWait => SyncWaitStep.Execute(ctx, s),
        StepKind.SyncReceivePayload => SyncReceivePayloadStep.Execute(ctx, s),
        StepKind.Unshare => UnshareStep.Execute(ctx, s),
        StepKind.Setns => SetnsStep.Execute(ctx, s),
        StepKind.ForkInit => ForkInitStep.Execute(ctx, s),
        StepKind.Setsid => SetsidStep.Execute(ctx, s),
        StepKind.Prctl => PrctlStep.Execute(ctx, s),
        StepKind.Sethostname => SethostnameStep.Execute(ctx, s),
        StepKind.Setdomainname => SetdomainnameStep.Execute(ctx, s),
        StepKind.MountHost => MountHostStep.Execute(ctx, s),
        StepKind.OpenRoot => OpenRootStep.Execute(ctx, s),
        StepKind.PrepareTarget => PrepareTargetStep.Execute(ctx, s),
        StepKind.MountTarget => MountTargetStep.Execute(ctx, s),
        StepKind.BindTarget => BindTargetStep.Execute(ctx, s),
        StepKind.RemountTarget => RemountTargetStep.Execute(ctx, s),
        StepKind.PropagateTarget => PropagateTargetStep.Execute(ctx, s),
        StepKind.SetattrTarget => SetattrTargetStep.Execute(ctx, s),
        StepKind.MknodInRoot => MknodInRootStep.Execute(ctx, s),
        StepKind.SymlinkInRoot => SymlinkInRootStep.Execute(ctx, s),
        StepKind.PivotRoot => PivotRootStep.Execute(ctx, s),
        StepKind.MoveRoot => MoveRootStep.Execute(ctx, s),
        StepKind.Chroot => ChrootStep.Execute(ctx, s),
        StepKind.MaskPath => MaskPathStep.Execute(ctx, s),
        StepKind.ReadonlyPath => ReadonlyPathStep.Execute(ctx, s),
        StepKind.RemountRoot => RemountRootStep.Execute(ctx, s),
        StepKind.WriteFile => WriteFileStep.Execute(ctx, s),
        StepKind.Chdir => ChdirStep.Execute(ctx, s),
        StepKind.VerifyCwd => VerifyCwdStep.Execute(ctx, s),
        StepKind.Setrlimit => SetrlimitStep.Execute(ctx, s),
        StepKind.Personality => PersonalityStep.Execute(ctx, s),
        StepKind.Umask => UmaskStep.Execute(ctx, s),
        StepKind.DropBounding => DropBoundingStep.Execute(ctx, s),
        StepKind.Setgroups => SetgroupsStep.Execute(ctx, s),
        StepKind.Setgid => SetgidStep.Execute(ctx, s),
        StepKind.Setuid => SetuidStep.Execute(ctx, s),
        StepKind.Capset => CapsetStep.Execute(ctx, s),
        StepKind.RaiseAmbient => RaiseAmbientStep.Execute(ctx, s),
        StepKind.ResetSignals => ResetSignalsStep.Execute(ctx, s),
        StepKind.CloseHostFds => CloseHostFdsStep.Execute(ctx, s),
        StepKind.ReleaseRuntimeData => ReleaseRuntimeDataStep.Execute(ctx, s),
        StepKind.WaitStart => WaitStartStep.Execute(ctx, s),
        StepKind.RunHook => RunHookStep.Execute(ctx, s),
        StepKind.Seccomp => SeccompLoadStep.Execute(ctx, s),
        StepKind.SeccompNotify => SeccompLoadStep.ExecuteNotify(ctx, s),
        StepKind.FindExecutable => FindExecutableStep.Execute(ctx, s),
        StepKind.Execve => ExecveStep.Execute(ctx, s),
        StepKind.SetupConsole => SetupConsoleStep.Execute(ctx, s),
        StepKind.JoinKeyring => JoinKeyringStep.Execute(ctx, s),
        StepKind.Dup2 => Dup2Step.Execute(ctx, s),
        StepKind.OpenHostProc => OpenHostProcStep.Execute(ctx, s),
        StepKind.JoinCgroup => JoinCgroupStep.Execute(ctx, s),
        StepKind.SetAffinity => SetAffinityStep.Execute(ctx, s),
        StepKind.LookupHome => LookupHomeStep.Execute(ctx, s),
        StepKind.LoopbackUp => LoopbackUpStep.Execute(ctx, s),
        StepKind.FixStdioOwner => FixStdioOwnerStep.Execute(ctx, s),
        StepKind.OpenPrivateProc => OpenPrivateProcStep.Execute(ctx, s),
        StepKind.MountTargetCopyUp => MountTargetStep.ExecuteCopyUp(ctx, s),
        StepKind.HideHostProcAndSysfs => HideHostProcAndSysfsStep.Execute(ctx, s),
        StepKind.SetScheduler => SetSchedulerStep.Execute(ctx, s),
        StepKind.SetIoPriority => SetIoPriorityStep.Execute(ctx, s),
        StepKind.SetMemoryPolicy => SetMemoryPolicyStep.Execute(ctx, s),
        StepKind.ReceiveBindSources => ReceiveBindSourcesStep.Execute(ctx, s),
        StepKind.BindFromSource => BindFromSourceStep.Execute(ctx, s),
        StepKind.IsolateRootfsMount => IsolateRootfsMountStep.Execute(ctx, s),
        StepKind.IdmapBind => IdmapBindStep.Execute(ctx, s),
        StepKind.ReopenDevNull => ReopenDevNullStep.Execute(ctx, s),
        _ => -Errno.EINVAL,
    };
}
