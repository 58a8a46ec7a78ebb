using CsRun.Launch.Child;
using CsRun.Linux;

namespace CsRun.Launch;

internal unsafe struct PivotRootStep
{
    public long Rootfs;

    public static Step Emit(SetupProgram p, string field, string text, long rootfs) =>
        p.Add(StepKind.PivotRoot, field, text, new PivotRootStep { Rootfs = rootfs });

    public static long Execute(ChildContext* ctx, NativeStep* s) => ChildFs.PivotRoot(ctx, ((PivotRootStep*)&s->Args)->Rootfs);
}

/// <summary>--no-pivot: move the rootfs over / and chroot.</summary>
internal unsafe struct MoveRootStep
{
    public long Rootfs;

    public static Step Emit(SetupProgram p, string field, string text, long rootfs) =>
        p.Add(StepKind.MoveRoot, field, text, new MoveRootStep { Rootfs = rootfs });

    public static long Execute(ChildContext* ctx, NativeStep* s) => ChildFs.MoveRoot(ctx, ((MoveRootStep*)&s->Args)->Rootfs);
}

/// <summary>No mount namespace: chroot only, the host's mounts stay untouched.</summary>
internal unsafe struct ChrootStep
{
    public long Rootfs;

    public static Step Emit(SetupProgram p, string field, string text, long rootfs) =>
        p.Add(StepKind.Chroot, field, text, new ChrootStep { Rootfs = rootfs });

    public static long Execute(ChildContext* ctx, NativeStep* s) => ChildFs.Chroot(ctx, ((ChrootStep*)&s->Args)->Rootfs);
}

/// <summary>--no-pivot, before MoveRoot: detach (or cover) every full proc and sysfs mount
/// outside the rootfs (<see cref="ChildHostMounts"/>).</summary>
internal unsafe struct HideHostProcAndSysfsStep
{
    /// <summary><see cref="ChildHostMounts.BufferSize"/> bytes.</summary>
    public long Buffer;
    public int Size;

    public static Step Emit(SetupProgram p, string field, string text, long buffer, int size) =>
        p.Add(StepKind.HideHostProcAndSysfs, field, text, new HideHostProcAndSysfsStep { Buffer = buffer, Size = size });

    public static long Execute(ChildContext* ctx, NativeStep* s)
    {
        var a = (HideHostProcAndSysfsStep*)&s->Args;
        return ChildHostMounts.HideProcAndSysfs(ctx, (byte*)a->Buffer, a->Size);
    }
}

/// <summary>No mount namespace: keep an O_PATH fd of the host's /proc before chroot, which
/// leaves no /proc in reach, so WaitStart can still reopen the exec fifo.</summary>
internal unsafe struct OpenHostProcStep
{
    public static Step Emit(SetupProgram p, string field, string text) => p.Add(StepKind.OpenHostProc, field, text, new OpenHostProcStep());

    public static long Execute(ChildContext* ctx, NativeStep* s)
    {
        long fd = Libc.Raw(Nr.Openat, O.AtFdCwd, (long)"/proc\0"u8.AsPointerUnsafe(), O.Path | O.Directory | O.CloExec);
        if (fd < 0) return fd;
        ctx->ProcFd = (int)fd;
        return 0;
    }
}

/// <summary>A private procfs (subset=pid, read-only) of the container's pid namespace, detached,
/// kept in ProcFd so that WaitStart reopens the exec fifo without the container's /proc
/// (<see cref="ChildStart"/>). Without it (an old kernel), WaitStart uses the container's /proc.</summary>
internal unsafe struct OpenPrivateProcStep
{
    public static Step Emit(SetupProgram p, string field, string text) => p.Add(StepKind.OpenPrivateProc, field, text, new OpenPrivateProcStep());

    public static long Execute(ChildContext* ctx, NativeStep* s) => ChildStart.OpenPrivateProc(ctx);
}
