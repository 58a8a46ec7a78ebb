using CsRun.Launch.Child;
using CsRun.Linux;
using static CsRun.Launch.StepResult;

namespace CsRun.Launch;

/// <summary>sched_setaffinity on ourselves (<see cref="CpuHandoff"/>).</summary>
internal unsafe struct SetAffinityStep
{
    public long Mask;
    /// <summary>The mask's length in bytes.</summary>
    public int Length;

    public static Step Emit(SetupProgram p, string field, string text, long mask, int length) =>
        p.Add(StepKind.SetAffinity, field, text, new SetAffinityStep { Mask = mask, Length = length });

    public static long Execute(ChildContext* ctx, NativeStep* s)
    {
        var a = (SetAffinityStep*)&s->Args;
        return Ok(Libc.Raw(Nr.SchedSetaffinity, 0, a->Length, a->Mask));
    }
}

/// <summary>sched_setattr on ourselves (<see cref="ChildSchedule"/>).</summary>
internal unsafe struct SetSchedulerStep
{
    /// <summary>struct sched_attr.</summary>
    public long Attr;

    public static Step Emit(SetupProgram p, string field, string text, long attr) =>
        p.Add(StepKind.SetScheduler, field, text, new SetSchedulerStep { Attr = attr });

    public static long Execute(ChildContext* ctx, NativeStep* s) => ChildSchedule.SetScheduler(((SetSchedulerStep*)&s->Args)->Attr);
}

/// <summary>ioprio_set on ourselves.</summary>
internal unsafe struct SetIoPriorityStep
{
    /// <summary>(class &lt;&lt; 13) | level.</summary>
    public long Value;

    public static Step Emit(SetupProgram p, string field, string text, long value) =>
        p.Add(StepKind.SetIoPriority, field, text, new SetIoPriorityStep { Value = value });

    public static long Execute(ChildContext* ctx, NativeStep* s) => ChildSchedule.SetIoPriority(((SetIoPriorityStep*)&s->Args)->Value);
}

/// <summary>set_mempolicy.</summary>
internal unsafe struct SetMemoryPolicyStep
{
    /// <summary>mode | mode flags.</summary>
    public long Mode;
    public long NodeMask;
    /// <summary>Bits in the mask + 1.</summary>
    public long MaxNode;

    public static Step Emit(SetupProgram p, string field, string text, long mode, long nodeMask, long maxNode) =>
        p.Add(StepKind.SetMemoryPolicy, field, text, new SetMemoryPolicyStep { Mode = mode, NodeMask = nodeMask, MaxNode = maxNode });

    public static long Execute(ChildContext* ctx, NativeStep* s)
    {
        var a = (SetMemoryPolicyStep*)&s->Args;
        return ChildSchedule.SetMemoryPolicy(a->Mode, a->NodeMask, a->MaxNode);
    }
}

/// <summary>Write "0" to a v1 cgroup's `tasks` file: the child moves itself.</summary>
internal unsafe struct JoinCgroupStep
{
    public long TasksFile;
    /// <summary>Ignore a failure.</summary>
    public bool BestEffort;

    public static Step Emit(SetupProgram p, string field, string text, long tasksFile, bool bestEffort) =>
        p.Add(StepKind.JoinCgroup, field, text, new JoinCgroupStep { TasksFile = tasksFile, BestEffort = bestEffort });

    public static long Execute(ChildContext* ctx, NativeStep* s)
    {
        var a = (JoinCgroupStep*)&s->Args;
        long r = ChildFs.WriteFile(a->TasksFile, (long)"0"u8.AsPointerUnsafe(), 1, false);
        return a->BestEffort ? 0 : r;
    }
}
