using CsRun.Launch.Child;
using CsRun.Linux;
using static CsRun.Launch.StepResult;

namespace CsRun.Launch;

internal unsafe struct PrctlStep
{
    public long Option, Arg2, Arg3, Arg4;

    public static Step Emit(SetupProgram p, string field, string text, long option, long arg2, long arg3 = 0, long arg4 = 0) =>
        p.Add(StepKind.Prctl, field, text, new PrctlStep { Option = option, Arg2 = arg2, Arg3 = arg3, Arg4 = arg4 });

    public static long Execute(ChildContext* ctx, NativeStep* s)
    {
        var a = (PrctlStep*)&s->Args;
        return Ok(Libc.Raw(Nr.Prctl, a->Option, a->Arg2, a->Arg3, a->Arg4));
    }
}

/// <summary>Write bytes to a file (sysctls, oom_score_adj).</summary>
internal unsafe struct WriteFileStep
{
    public long Path, Data;
    public int Length;
    /// <summary>Refuse unless the file is on procfs.</summary>
    public bool MustBeProc;

    public static Step Emit(SetupProgram p, string field, string text, long path, long data, int length, bool mustBeProc) =>
        p.Add(StepKind.WriteFile, field, text, new WriteFileStep { Path = path, Data = data, Length = length, MustBeProc = mustBeProc });

    public static long Execute(ChildContext* ctx, NativeStep* s)
    {
        var a = (WriteFileStep*)&s->Args;
        return ChildFs.WriteFile(a->Path, a->Data, a->Length, a->MustBeProc);
    }
}

internal unsafe struct ChdirStep
{
    public long Path;
    /// <summary><see cref="ChildCwd.Plain"/>, <see cref="ChildCwd.AsRoot"/> or <see cref="ChildCwd.AsUser"/>.</summary>
    public int Mode;

    public static Step Emit(SetupProgram p, string field, string text, long path, int mode = ChildCwd.Plain) =>
        p.Add(StepKind.Chdir, field, text, new ChdirStep { Path = path, Mode = mode });

    public static long Execute(ChildContext* ctx, NativeStep* s)
    {
        var a = (ChdirStep*)&s->Args;
        return ChildCwd.Chdir(ctx, a->Path, a->Mode);
    }
}

/// <summary>Fail unless getcwd names a path inside the container (CVE-2024-21626).</summary>
internal unsafe struct VerifyCwdStep
{
    public static Step Emit(SetupProgram p, string field, string text) => p.Add(StepKind.VerifyCwd, field, text, new VerifyCwdStep());

    public static long Execute(ChildContext* ctx, NativeStep* s) => ChildFs.VerifyCwd();
}

internal unsafe struct SetrlimitStep
{
    public int Resource;
    public long Soft, Hard;

    public static Step Emit(SetupProgram p, string field, string text, int resource, long soft, long hard) =>
        p.Add(StepKind.Setrlimit, field, text, new SetrlimitStep { Resource = resource, Soft = soft, Hard = hard });

    public static long Execute(ChildContext* ctx, NativeStep* s)
    {
        var a = (SetrlimitStep*)&s->Args;
        long* lim = stackalloc long[2];
        lim[0] = a->Soft;
        lim[1] = a->Hard;
        return Ok(Libc.Raw(Nr.Prlimit64, 0, a->Resource, (long)lim, 0));
    }
}

internal unsafe struct PersonalityStep
{
    public long Persona;

    public static Step Emit(SetupProgram p, string field, string text, long persona) =>
        p.Add(StepKind.Personality, field, text, new PersonalityStep { Persona = persona });

    public static long Execute(ChildContext* ctx, NativeStep* s) => Ok(Libc.Raw(Nr.Personality, ((PersonalityStep*)&s->Args)->Persona));
}

internal unsafe struct UmaskStep
{
    public long Mask;

    public static Step Emit(SetupProgram p, string field, string text, long mask) =>
        p.Add(StepKind.Umask, field, text, new UmaskStep { Mask = mask });

    public static long Execute(ChildContext* ctx, NativeStep* s)
    {
        Libc.Raw(Nr.Umask, ((UmaskStep*)&s->Args)->Mask);
        return 0;
    }
}

/// <summary>Inside the container, put the uid's home from /etc/passwd in the envp entry
/// "HOME=/" (<see cref="ChildPasswd"/>); never fails.</summary>
internal unsafe struct LookupHomeStep
{
    /// <summary><see cref="ChildPasswd.EntrySize"/> bytes holding "HOME=/".</summary>
    public long Entry;
    public uint Uid;

    public static Step Emit(SetupProgram p, string field, string text, long entry, uint uid) =>
        p.Add(StepKind.LookupHome, field, text, new LookupHomeStep { Entry = entry, Uid = uid });

    public static long Execute(ChildContext* ctx, NativeStep* s)
    {
        var a = (LookupHomeStep*)&s->Args;
        return ChildPasswd.FindHome(a->Entry, a->Uid);
    }
}

/// <summary>Give stdio that is a pipe, a socket or a pty to a uid, before the uid change
/// (<see cref="ChildStdio"/>); a file of the host keeps its owner.</summary>
internal unsafe struct FixStdioOwnerStep
{
    public uint Uid;

    public static Step Emit(SetupProgram p, string field, string text, uint uid) =>
        p.Add(StepKind.FixStdioOwner, field, text, new FixStdioOwnerStep { Uid = uid });

    public static long Execute(ChildContext* ctx, NativeStep* s) => ChildStdio.FixOwner(((FixStdioOwnerStep*)&s->Args)->Uid);
}

/// <summary>A pty for process.terminal, its master sent to the console socket (<see cref="ChildConsole"/>).</summary>
internal unsafe struct SetupConsoleStep
{
    public int ConsoleSocket;
    public long Rows, Columns;
    /// <summary>uid&lt;&lt;32|gid; gid -1 keeps devpts' group.</summary>
    public long Owner;

    public static Step Emit(SetupProgram p, string field, string text, int consoleSocket, long rows, long columns, long owner) =>
        p.Add(StepKind.SetupConsole, field, text, new SetupConsoleStep { ConsoleSocket = consoleSocket, Rows = rows, Columns = columns, Owner = owner });

    public static long Execute(ChildContext* ctx, NativeStep* s)
    {
        var a = (SetupConsoleStep*)&s->Args;
        return ChildConsole.Setup(ctx, a->ConsoleSocket, a->Rows, a->Columns, a->Owner);
    }
}
