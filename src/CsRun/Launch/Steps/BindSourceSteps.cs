using CsRun.Launch.Child;

namespace CsRun.Launch;

/// <summary>Send "/" (this mount namespace's root) to the parent, which opens every bind source
/// there with the host's credentials, and receive the fds into the slots (<see cref="ChildBindSources"/>):
/// a user namespace's root may not reach a source the host can.</summary>
internal unsafe struct ReceiveBindSourcesStep
{
    public int* Slots;
    /// <summary>Set once every bind is compiled (Rootfs/HostBindSources).</summary>
    public int Count;

    public static Step Emit(SetupProgram p, string field, string text, int* slots) =>
        p.Add(StepKind.ReceiveBindSources, field, text, new ReceiveBindSourcesStep { Slots = slots });

    public static long Execute(ChildContext* ctx, NativeStep* s)
    {
        var a = (ReceiveBindSourcesStep*)&s->Args;
        return ChildBindSources.Receive(ctx, a->Slots, a->Count);
    }
}

/// <summary>Bind the fd ReceiveBindSources put in a slot on the prepared target through
/// /proc/self/fd/N, then close it.</summary>
internal unsafe struct BindFromSourceStep
{
    public int* Slot;
    /// <summary>0 or MS_REC.</summary>
    public long Flags;

    public static Step Emit(SetupProgram p, string field, string text, int* slot, long flags) =>
        p.Add(StepKind.BindFromSource, field, text, new BindFromSourceStep { Slot = slot, Flags = flags });

    public static long Execute(ChildContext* ctx, NativeStep* s)
    {
        var a = (BindFromSourceStep*)&s->Args;
        return ChildBindSources.Bind(ctx, a->Slot, a->Flags);
    }
}

/// <summary>Clone a source's tree, hand it to the parent to set MOUNT_ATTR_IDMAP, and attach it
/// on the prepared target (<see cref="ChildIdmap"/>).</summary>
internal unsafe struct IdmapBindStep
{
    /// <summary>The slot ReceiveBindSources filled, or null: then <see cref="Path"/> is opened.</summary>
    public int* Slot;
    /// <summary>The source, in the rootfs when <see cref="InRootfs"/>, else on the host.</summary>
    public long Path;
    /// <summary>0 or MS_REC (rbind).</summary>
    public long BindFlags;
    /// <summary>Index in <see cref="SetupProgram.IdmapMounts"/>.</summary>
    public int Index;
    public bool InRootfs;

    public static Step Emit(SetupProgram p, string field, string text, int* slot, long path, long bindFlags, int index, bool inRootfs) =>
        p.Add(StepKind.IdmapBind, field, text, new IdmapBindStep { Slot = slot, Path = path, BindFlags = bindFlags, Index = index, InRootfs = inRootfs });

    public static long Execute(ChildContext* ctx, NativeStep* s)
    {
        var a = (IdmapBindStep*)&s->Args;
        return ChildIdmap.Bind(ctx, a->Slot, a->Path, a->BindFlags, a->Index, a->InRootfs);
    }
}
