using CsRun.Launch.Child;
using CsRun.Linux;
using static CsRun.Launch.StepResult;

namespace CsRun.Launch;

/// <summary>unshare(2) the namespaces in the clone flags.</summary>
internal unsafe struct UnshareStep
{
    public long CloneFlags;

    public static Step Emit(SetupProgram p, string field, string text, long cloneFlags) =>
        p.Add(StepKind.Unshare, field, text, new UnshareStep { CloneFlags = cloneFlags });

    public static long Execute(ChildContext* ctx, NativeStep* s) => Ok(Libc.Raw(Nr.Unshare, ((UnshareStep*)&s->Args)->CloneFlags));
}

/// <summary>setns(2) into a namespace the parent opened.</summary>
internal unsafe struct SetnsStep
{
    /// <summary>The parent's fd of the namespace; for the container's own create, the index in
    /// <see cref="SetupProgram.Joins"/> until the parent opens it and puts the fd here.</summary>
    public int Fd;
    public long NsType;

    public static Step Emit(SetupProgram p, string field, string text, int fd, long nsType) =>
        p.Add(StepKind.Setns, field, text, new SetnsStep { Fd = fd, NsType = nsType });

    public static long Execute(ChildContext* ctx, NativeStep* s)
    {
        var a = (SetnsStep*)&s->Args;
        return Ok(Libc.Raw(Nr.Setns, a->Fd, a->NsType));
    }
}

internal unsafe struct SetsidStep
{
    public static Step Emit(SetupProgram p, string field, string text) => p.Add(StepKind.Setsid, field, text, new SetsidStep());

    public static long Execute(ChildContext* ctx, NativeStep* s) => Ok(Libc.Raw(Nr.Setsid));
}

internal unsafe struct SethostnameStep
{
    public long Name;
    public int Length;

    public static Step Emit(SetupProgram p, string field, string text, long name, int length) =>
        p.Add(StepKind.Sethostname, field, text, new SethostnameStep { Name = name, Length = length });

    public static long Execute(ChildContext* ctx, NativeStep* s)
    {
        var a = (SethostnameStep*)&s->Args;
        return Ok(Libc.Raw(Nr.Sethostname, a->Name, a->Length));
    }
}

internal unsafe struct SetdomainnameStep
{
    public long Name;
    public int Length;

    public static Step Emit(SetupProgram p, string field, string text, long name, int length) =>
        p.Add(StepKind.Setdomainname, field, text, new SetdomainnameStep { Name = name, Length = length });

    public static long Execute(ChildContext* ctx, NativeStep* s)
    {
        var a = (SetdomainnameStep*)&s->Args;
        return Ok(Libc.Raw(Nr.Setdomainname, a->Name, a->Length));
    }
}

/// <summary>A fresh session keyring; kernels without keyrings are fine.</summary>
internal unsafe struct JoinKeyringStep
{
    public long Name;

    public static Step Emit(SetupProgram p, string field, string text, long name) =>
        p.Add(StepKind.JoinKeyring, field, text, new JoinKeyringStep { Name = name });

    public static long Execute(ChildContext* ctx, NativeStep* s)
    {
        long r = Libc.Raw(Nr.Keyctl, 1 /*KEYCTL_JOIN_SESSION_KEYRING*/, ((JoinKeyringStep*)&s->Args)->Name);
        return r >= 0 || r == -Errno.ENOSYS || r == -122 /*EDQUOT*/ ? 0 : r;
    }
}

/// <summary>Set IFF_UP on `lo` (a new network namespace has it down).</summary>
internal unsafe struct LoopbackUpStep
{
    public static Step Emit(SetupProgram p, string field, string text) => p.Add(StepKind.LoopbackUp, field, text, new LoopbackUpStep());

    public static long Execute(ChildContext* ctx, NativeStep* s) => ChildNet.LoopbackUp();
}
