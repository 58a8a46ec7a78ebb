using CsRun.Launch.Child;
using CsRun.Linux;
using static CsRun.Launch.StepResult;

namespace CsRun.Launch;

/// <summary>mount(2) on host paths, before pivot_root.</summary>
internal unsafe struct MountHostStep
{
    public long Source, Target, FsType, Flags, Data;

    public static Step Emit(SetupProgram p, string field, string text, long source, long target, long fsType, long flags, long data) =>
        p.Add(StepKind.MountHost, field, text, new MountHostStep { Source = source, Target = target, FsType = fsType, Flags = flags, Data = data });

    public static long Execute(ChildContext* ctx, NativeStep* s)
    {
        var a = (MountHostStep*)&s->Args;
        return Ok(Libc.Raw(Nr.Mount, a->Source, a->Target, a->FsType, a->Flags, a->Data));
    }
}

/// <summary>Open the rootfs as the anchor for every later *InRoot step.</summary>
internal unsafe struct OpenRootStep
{
    public long Rootfs;

    public static Step Emit(SetupProgram p, string field, string text, long rootfs) =>
        p.Add(StepKind.OpenRoot, field, text, new OpenRootStep { Rootfs = rootfs });

    public static long Execute(ChildContext* ctx, NativeStep* s)
    {
        if (ctx->RootFd >= 0) Libc.Raw(Nr.Close, ctx->RootFd);
        long fd = Libc.Raw(Nr.Openat, O.AtFdCwd, ((OpenRootStep*)&s->Args)->Rootfs, O.Path | O.Directory | O.CloExec);
        if (fd < 0) return fd;
        ctx->RootFd = (int)fd;
        return 0;
    }
}

/// <summary>A path inside the rootfs, created if missing (never following a link out of the
/// rootfs); an O_PATH fd to it is kept as the target of the *Target steps that follow.</summary>
internal unsafe struct PrepareTargetStep
{
    public long Path;
    /// <summary><see cref="ChildFs.TargetFile"/>, <see cref="ChildFs.TargetDirectory"/> or <see cref="ChildFs.TargetRealDirectory"/>.</summary>
    public int Kind;

    public static Step Emit(SetupProgram p, string field, string text, long path, int kind) =>
        p.Add(StepKind.PrepareTarget, field, text, new PrepareTargetStep { Path = path, Kind = kind });

    public static long Execute(ChildContext* ctx, NativeStep* s)
    {
        var a = (PrepareTargetStep*)&s->Args;
        return ChildFs.PrepareTarget(ctx, a->Path, a->Kind);
    }
}

/// <summary>Mount a filesystem on the prepared target; MountTargetCopyUp then copies what the
/// mount covered into it (tmpcopyup, <see cref="ChildCopyUp"/>).</summary>
internal unsafe struct MountTargetStep
{
    public long Source, FsType, Flags, Data;
    /// <summary>Data begins with a "mode=0000" slot to fill from the covered directory (a tmpfs without mode=).</summary>
    public bool CoveredMode;

    public static Step Emit(SetupProgram p, string field, string text, long source, long fsType, long flags, long data, bool coveredMode = false, bool copyUp = false) =>
        p.Add(copyUp ? StepKind.MountTargetCopyUp : StepKind.MountTarget, field, text,
            new MountTargetStep { Source = source, FsType = fsType, Flags = flags, Data = data, CoveredMode = coveredMode });

    public static long Execute(ChildContext* ctx, NativeStep* s)
    {
        var a = (MountTargetStep*)&s->Args;
        return ChildFs.MountOnTarget(ctx, a->Source, a->FsType, a->Flags, DataFor(ctx, a));
    }

    public static long ExecuteCopyUp(ChildContext* ctx, NativeStep* s)
    {
        var a = (MountTargetStep*)&s->Args;
        return ChildCopyUp.MountOnTarget(ctx, a->Source, a->FsType, a->Flags, DataFor(ctx, a));
    }

    static long DataFor(ChildContext* ctx, MountTargetStep* a) => a->CoveredMode ? ChildFs.WithCoveredMode(ctx, a->Data) : a->Data;
}

/// <summary>Bind a path inside the container on the prepared target.</summary>
internal unsafe struct BindTargetStep
{
    public long Source;
    /// <summary>0 or MS_REC.</summary>
    public long Flags;

    public static Step Emit(SetupProgram p, string field, string text, long source, long flags) =>
        p.Add(StepKind.BindTarget, field, text, new BindTargetStep { Source = source, Flags = flags });

    public static long Execute(ChildContext* ctx, NativeStep* s)
    {
        var a = (BindTargetStep*)&s->Args;
        return ChildFs.BindOnTarget(ctx, a->Source, a->Flags);
    }
}

/// <summary>Remount the prepared target (MS_REMOUNT|MS_BIND|flags).</summary>
internal unsafe struct RemountTargetStep
{
    public long Flags;

    public static Step Emit(SetupProgram p, string field, string text, long flags) =>
        p.Add(StepKind.RemountTarget, field, text, new RemountTargetStep { Flags = flags });

    public static long Execute(ChildContext* ctx, NativeStep* s) =>
        ChildFs.MountOnTarget(ctx, 0, 0, (long)(Ms.Remount | Ms.Bind) | ((RemountTargetStep*)&s->Args)->Flags, 0);
}

/// <summary>Set the prepared target's propagation.</summary>
internal unsafe struct PropagateTargetStep
{
    public long Flags;

    public static Step Emit(SetupProgram p, string field, string text, long flags) =>
        p.Add(StepKind.PropagateTarget, field, text, new PropagateTargetStep { Flags = flags });

    public static long Execute(ChildContext* ctx, NativeStep* s) => ChildFs.MountOnTarget(ctx, 0, 0, ((PropagateTargetStep*)&s->Args)->Flags, 0);
}

/// <summary>mount_setattr on the prepared target, recursively (rro, …).</summary>
internal unsafe struct SetattrTargetStep
{
    public long AttrSet, AttrClear, Propagation;

    public static Step Emit(SetupProgram p, string field, string text, long attrSet, long attrClear, long propagation) =>
        p.Add(StepKind.SetattrTarget, field, text, new SetattrTargetStep { AttrSet = attrSet, AttrClear = attrClear, Propagation = propagation });

    public static long Execute(ChildContext* ctx, NativeStep* s)
    {
        var a = (SetattrTargetStep*)&s->Args;
        return ChildFs.SetattrTarget(ctx, a->AttrSet, a->AttrClear, a->Propagation);
    }
}

/// <summary>Make the mount that holds the rootfs, found by walking up, private or slave (<see cref="ChildRootfsMount"/>).</summary>
internal unsafe struct IsolateRootfsMountStep
{
    public long Rootfs;
    /// <summary>MS_PRIVATE or MS_SLAVE.</summary>
    public long Propagation;

    public static Step Emit(SetupProgram p, string field, string text, long rootfs, long propagation) =>
        p.Add(StepKind.IsolateRootfsMount, field, text, new IsolateRootfsMountStep { Rootfs = rootfs, Propagation = propagation });

    public static long Execute(ChildContext* ctx, NativeStep* s)
    {
        var a = (IsolateRootfsMountStep*)&s->Args;
        return ChildRootfsMount.Isolate(a->Rootfs, a->Propagation);
    }
}
