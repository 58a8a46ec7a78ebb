using CsRun.Launch.Child;
using CsRun.Linux;
using static CsRun.Launch.StepResult;

namespace CsRun.Launch;

/// <summary>Drop every bounding capability not in the mask.</summary>
internal unsafe struct DropBoundingStep
{
    public ulong Keep;

    public static Step Emit(SetupProgram p, string field, string text, ulong keep) =>
        p.Add(StepKind.DropBounding, field, text, new DropBoundingStep { Keep = keep });

    public static long Execute(ChildContext* ctx, NativeStep* s) => ChildCreds.DropBounding(((DropBoundingStep*)&s->Args)->Keep);
}

internal unsafe struct SetgroupsStep
{
    public int Count;
    public uint* Gids;

    public static Step Emit(SetupProgram p, string field, string text, int count, uint* gids) =>
        p.Add(StepKind.Setgroups, field, text, new SetgroupsStep { Count = count, Gids = gids });

    public static long Execute(ChildContext* ctx, NativeStep* s)
    {
        var a = (SetgroupsStep*)&s->Args;
        return Ok(Libc.Raw(Nr.Setgroups, a->Count, (long)a->Gids));
    }
}

/// <summary>setresgid to one gid.</summary>
internal unsafe struct SetgidStep
{
    public uint Gid;

    public static Step Emit(SetupProgram p, string field, string text, uint gid) =>
        p.Add(StepKind.Setgid, field, text, new SetgidStep { Gid = gid });

    public static long Execute(ChildContext* ctx, NativeStep* s)
    {
        uint gid = ((SetgidStep*)&s->Args)->Gid;
        return Ok(Libc.Raw(Nr.Setresgid, gid, gid, gid));
    }
}

/// <summary>setresuid to one uid.</summary>
internal unsafe struct SetuidStep
{
    public uint Uid;

    public static Step Emit(SetupProgram p, string field, string text, uint uid) =>
        p.Add(StepKind.Setuid, field, text, new SetuidStep { Uid = uid });

    public static long Execute(ChildContext* ctx, NativeStep* s)
    {
        uint uid = ((SetuidStep*)&s->Args)->Uid;
        return Ok(Libc.Raw(Nr.Setresuid, uid, uid, uid));
    }
}

internal unsafe struct CapsetStep
{
    public ulong Effective, Permitted, Inheritable;

    public static Step Emit(SetupProgram p, string field, string text, ulong effective, ulong permitted, ulong inheritable) =>
        p.Add(StepKind.Capset, field, text, new CapsetStep { Effective = effective, Permitted = permitted, Inheritable = inheritable });

    public static long Execute(ChildContext* ctx, NativeStep* s)
    {
        var a = (CapsetStep*)&s->Args;
        return ChildCreds.Capset(a->Effective, a->Permitted, a->Inheritable);
    }
}

internal unsafe struct RaiseAmbientStep
{
    public ulong Mask;

    public static Step Emit(SetupProgram p, string field, string text, ulong mask) =>
        p.Add(StepKind.RaiseAmbient, field, text, new RaiseAmbientStep { Mask = mask });

    public static long Execute(ChildContext* ctx, NativeStep* s) => ChildCreds.RaiseAmbient(((RaiseAmbientStep*)&s->Args)->Mask);
}

/// <summary>Default disposition and an empty mask for every signal.</summary>
internal unsafe struct ResetSignalsStep
{
    public static Step Emit(SetupProgram p, string field, string text) => p.Add(StepKind.ResetSignals, field, text, new ResetSignalsStep());

    public static long Execute(ChildContext* ctx, NativeStep* s) => ChildCreds.ResetSignals();
}
