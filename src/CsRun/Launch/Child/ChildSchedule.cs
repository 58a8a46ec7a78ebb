using CsRun.Linux;

namespace CsRun.Launch.Child;

/// <summary>
/// process.scheduler, process.ioPriority and linux.memoryPolicy, each one system call on ourselves
/// with arguments the parent laid out (<see cref="ScheduleCompiler"/>). They run before the
/// capabilities are dropped, as runc's init does: a real-time policy or a negative nice needs
/// CAP_SYS_NICE. All three are inherited across fork and kept by execve.
/// </summary>
internal static class ChildSchedule
{
    /// <summary>The size sched_setattr is told: SCHED_ATTR_SIZE_VER1, with the util clamps (left 0).</summary>
    public const int AttrSize = 56;

    const long IoprioWhoProcess = 1;

    public static long SetScheduler(long attr) => Ok(Libc.Raw(Nr.SchedSetattr, 0, attr, 0));

    public static long SetIoPriority(long value) => Ok(Libc.Raw(Nr.IoprioSet, IoprioWhoProcess, 0, value));

    public static long SetMemoryPolicy(long mode, long mask, long maxNode) => Ok(Libc.Raw(Nr.SetMempolicy, mode, mask, maxNode));

    static long Ok(long r) => r < 0 ? r : 0;
}
