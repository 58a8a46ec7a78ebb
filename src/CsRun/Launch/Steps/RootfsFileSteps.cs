using CsRun.Launch.Child;

namespace CsRun.Launch;

/// <summary>mknod in a directory of the rootfs (a device node), then chown.</summary>
internal unsafe struct MknodInRootStep
{
    public long Parent, Name;
    /// <summary>mode | file type.</summary>
    public uint Mode;
    public long Dev;
    /// <summary>uid&lt;&lt;32|gid, or -1 to keep the owner.</summary>
    public long Owner;

    public static Step Emit(SetupProgram p, string field, string text, long parent, long name, uint mode, long dev, long owner) =>
        p.Add(StepKind.MknodInRoot, field, text, new MknodInRootStep { Parent = parent, Name = name, Mode = mode, Dev = dev, Owner = owner });

    public static long Execute(ChildContext* ctx, NativeStep* s)
    {
        var a = (MknodInRootStep*)&s->Args;
        return ChildFs.MknodInRoot(ctx, a->Parent, a->Name, a->Mode, a->Dev, a->Owner);
    }
}

/// <summary>A symlink in a directory of the rootfs.</summary>
internal unsafe struct SymlinkInRootStep
{
    public long Target, Parent, Name;

    public static Step Emit(SetupProgram p, string field, string text, long target, long parent, long name) =>
        p.Add(StepKind.SymlinkInRoot, field, text, new SymlinkInRootStep { Target = target, Parent = parent, Name = name });

    public static long Execute(ChildContext* ctx, NativeStep* s)
    {
        var a = (SymlinkInRootStep*)&s->Args;
        return ChildFs.SymlinkInRoot(ctx, a->Target, a->Parent, a->Name);
    }
}

/// <summary>Hide a path (after pivot_root): /dev/null over a file, a read-only tmpfs over a directory.</summary>
internal unsafe struct MaskPathStep
{
    public long Path;

    public static Step Emit(SetupProgram p, string field, string text, long path) =>
        p.Add(StepKind.MaskPath, field, text, new MaskPathStep { Path = path });

    public static long Execute(ChildContext* ctx, NativeStep* s) => ChildFs.MaskPath(ctx, ((MaskPathStep*)&s->Args)->Path);
}

/// <summary>Bind a path (after pivot_root) on itself read-only.</summary>
internal unsafe struct ReadonlyPathStep
{
    public long Path;

    public static Step Emit(SetupProgram p, string field, string text, long path) =>
        p.Add(StepKind.ReadonlyPath, field, text, new ReadonlyPathStep { Path = path });

    public static long Execute(ChildContext* ctx, NativeStep* s) => ChildFs.ReadonlyPath(ctx, ((ReadonlyPathStep*)&s->Args)->Path);
}

/// <summary>Remount / (MS_REMOUNT|MS_BIND|flags), for root.readonly.</summary>
internal unsafe struct RemountRootStep
{
    public long Flags;

    public static Step Emit(SetupProgram p, string field, string text, long flags) =>
        p.Add(StepKind.RemountRoot, field, text, new RemountRootStep { Flags = flags });

    public static long Execute(ChildContext* ctx, NativeStep* s) => ChildFs.RemountRoot(((RemountRootStep*)&s->Args)->Flags);
}

/// <summary>In the container's root: stdio that is the null device (the host's /dev/null a
/// caller gave) is replaced by the container's own /dev/null (<see cref="ChildDevNull"/>).</summary>
internal unsafe struct ReopenDevNullStep
{
    public static Step Emit(SetupProgram p, string field, string text) => p.Add(StepKind.ReopenDevNull, field, text, new ReopenDevNullStep());

    public static long Execute(ChildContext* ctx, NativeStep* s) => ChildDevNull.Reopen();
}
