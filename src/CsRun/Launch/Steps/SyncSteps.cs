using CsRun.Linux;
using static CsRun.Launch.StepResult;

namespace CsRun.Launch;

/// <summary>Tell the parent something on the sync socket.</summary>
internal unsafe struct SyncSendStep
{
    public SyncType Type;
    /// <summary>Sent along with the type.</summary>
    public int Value;

    public static Step Emit(SetupProgram p, string field, string text, SyncType type, int value = 0) =>
        p.Add(StepKind.SyncSend, field, text, new SyncSendStep { Type = type, Value = value });

    public static long Execute(ChildContext* ctx, NativeStep* s)
    {
        var a = (SyncSendStep*)&s->Args;
        return Send(ctx, (int)a->Type, a->Value);
    }

    internal static long Send(ChildContext* ctx, int type, int value)
    {
        SyncMessage msg = new() { Type = type, Value = value };
        return Ok(Libc.Raw(Nr.Sendto, ctx->SyncFd, (long)&msg, sizeof(SyncMessage), SyncChannel.MsgNoSignal, 0, 0));
    }
}

/// <summary>Wait for the parent's message of a type; anything else (or EOF) means the parent gave up.</summary>
internal unsafe struct SyncWaitStep
{
    public SyncType Expected;

    public static Step Emit(SetupProgram p, string field, string text, SyncType expected) =>
        p.Add(StepKind.SyncWait, field, text, new SyncWaitStep { Expected = expected });

    public static long Execute(ChildContext* ctx, NativeStep* s) => Wait(ctx, (int)((SyncWaitStep*)&s->Args)->Expected);

    internal static long Wait(ChildContext* ctx, int expected)
    {
        SyncMessage msg;
        long r;
        r = Libc.RawRetry(Nr.Read, ctx->SyncFd, (long)&msg, sizeof(SyncMessage));
        if (r < 0) return r;
        // EOF or a surprise: the parent gave up on us. Leave quietly; it already reported.
        if (r == 0 || msg.Type != expected) Libc.Raw(Nr.ExitGroup, 1);
        return 0;
    }
}

/// <summary>Read a payload message (the state for startContainer hooks) into a buffer.</summary>
internal unsafe struct SyncReceivePayloadStep
{
    public long Buffer;
    public int Capacity;

    public static Step Emit(SetupProgram p, string field, string text, long buffer, int capacity) =>
        p.Add(StepKind.SyncReceivePayload, field, text, new SyncReceivePayloadStep { Buffer = buffer, Capacity = capacity });

    public static long Execute(ChildContext* ctx, NativeStep* s)
    {
        var a = (SyncReceivePayloadStep*)&s->Args;
        long r;
        r = Libc.RawRetry(Nr.Read, ctx->SyncFd, a->Buffer, a->Capacity);
        if (r < 0) return r;
        if (r < sizeof(SyncMessage)) Libc.Raw(Nr.ExitGroup, 1);
        ctx->Payload = a->Buffer + sizeof(SyncMessage);
        ctx->PayloadLength = (int)r - sizeof(SyncMessage);
        return 0;
    }
}

/// <summary>
/// Fork once more: the new process is the container init; the old one reports its pid and exits.
/// The process that unshared a pid namespace is not in it; its next child is pid 1 there.
/// The new process waits until this one has reported its pid and exited (the pipe's last
/// write end closes): the parent must know whom to wait for, and which pid the hooks' state
/// names, before the new process says anything on the shared sync socket.
/// </summary>
internal unsafe struct ForkInitStep
{
    public static Step Emit(SetupProgram p, string field, string text) => p.Add(StepKind.ForkInit, field, text, new ForkInitStep());

    public static long Execute(ChildContext* ctx, NativeStep* s)
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
            r = Libc.RawRetry(Nr.Read, gate[0], (long)&b, 1);
            Libc.Raw(Nr.Close, gate[0]);
            return 0;
        }
        SyncSendStep.Send(ctx, (int)SyncType.InitPid, (int)pid);
        Libc.Raw(Nr.ExitGroup, 0);
        return 0;
    }
}
