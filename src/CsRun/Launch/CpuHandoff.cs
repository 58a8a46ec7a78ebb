using CsRun.Linux;

namespace CsRun.Launch;

/// <summary>
/// Lets a new child run beside its parent. The scheduler starts a forked task on its parent's
/// CPU, where it waits until the parent blocks, even with another CPU idle (measured here: the
/// child's first instruction came only once the parent slept). When the parent has work of its
/// own right after the clone (making the cgroup), the child is moved to the other allowed CPUs;
/// once in its cgroup it asks for every CPU (ScheduleCompiler.ResetAffinity), so the cpuset
/// has the last word.
/// </summary>
internal static unsafe class CpuHandoff
{
    const int MaxBytes = 128; // 1024 CPUs

    /// <summary>Our affinity mask (the child inherits it); null if it cannot be read.</summary>
    public static byte[]? CurrentMask()
    {
        byte* buf = stackalloc byte[MaxBytes];
        long n = Libc.Sys(Nr.SchedGetaffinity, 0, MaxBytes, (long)buf);
        return n > 0 ? new ReadOnlySpan<byte>(buf, (int)n).ToArray() : null;
    }

    /// <summary>Moves <paramref name="pid"/> off the CPU we run on, if the mask allows another. Best effort.</summary>
    public static void MoveAway(int pid, byte[] mask)
    {
        uint cpu = 0;
        if (Libc.Sys(Nr.Getcpu, (long)&cpu, 0, 0) < 0 || cpu / 8 >= mask.Length) return;
        byte* others = stackalloc byte[mask.Length];
        bool any = false;
        for (int i = 0; i < mask.Length; i++)
        {
            others[i] = i == cpu / 8 ? (byte)(mask[i] & ~(1 << (int)(cpu % 8))) : mask[i];
            any |= others[i] != 0;
        }
        if (any) Libc.Sys(Nr.SchedSetaffinity, pid, mask.Length, (long)others);
    }
}
