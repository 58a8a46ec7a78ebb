using CsRun.Errors;
using CsRun.Launch.Child;
using CsRun.Spec;

namespace CsRun.Launch;

/// <summary>
/// process.scheduler, process.ioPriority and linux.memoryPolicy as child steps, for the init and
/// every exec alike (runc 1.2+ applies all three in both), in runc's order, before the
/// capabilities are dropped; and the CPU affinity: the init and an exec without
/// process.execCPUAffinity get every CPU their cgroup allows, not the affinity csrun's caller
/// gave csrun (`taskset -c 0 csrun run` must not pin the container), as runc 1.3 does.
/// </summary>
internal static class ScheduleCompiler
{
    /// <summary>"Every CPU": 8192 of them, the most a Linux build has (NR_CPUS); the kernel drops
    /// the bits past its own count and those outside the task's cpuset.</summary>
    const int AllCpusBytes = 1024;

    public static void Compile(SetupProgram p, Config c)
    {
        if (c.Process?.Scheduler is { } s) Scheduler(p, s);
        if (c.Process?.IoPriority is { } io)
        {
            if (!SpecNames.IoPriorityClasses.TryGetValue(io.Class, out int cls))
                throw new RuntimeError($"process.ioPriority.class: unknown class \"{io.Class}\"");
            SetIoPriorityStep.Emit(p, "process.ioPriority", $"ioprio_set {io.Class} priority {io.Priority}", ((long)cls << 13) | (uint)io.Priority);
        }
        if (c.Linux?.MemoryPolicy is { } m) MemoryPolicy(p, m);
    }

    /// <summary>False when a fork after the scheduler step would fail or lose the policy:
    /// SCHED_DEADLINE tasks cannot fork (EAGAIN), SCHED_FLAG_RESET_ON_FORK gives the child SCHED_OTHER.</summary>
    public static bool SurvivesFork(ProcessConfig? proc) =>
        proc?.Scheduler is not { } s || (s.Policy != "SCHED_DEADLINE" && !(s.Flags?.Contains("SCHED_FLAG_RESET_ON_FORK") ?? false));

    static unsafe void Scheduler(SetupProgram p, Scheduler s)
    {
        if (!SpecNames.SchedulerPolicies.TryGetValue(s.Policy, out int policy))
            throw new RuntimeError($"process.scheduler.policy: unknown policy \"{s.Policy}\"");
        ulong flags = 0;
        foreach (var f in s.Flags ?? new List<string>())
            flags |= SpecNames.SchedulerFlags.TryGetValue(f, out ulong bit) ? bit : throw new RuntimeError($"process.scheduler.flags: unknown flag \"{f}\"");
        byte* attr = (byte*)p.Arena.Zeroed(ChildSchedule.AttrSize);
        *(uint*)attr = ChildSchedule.AttrSize;
        *(uint*)(attr + 4) = (uint)policy;
        *(ulong*)(attr + 8) = flags;
        *(int*)(attr + 16) = s.Nice ?? 0;
        *(uint*)(attr + 20) = (uint)(s.Priority ?? 0);
        *(ulong*)(attr + 24) = s.Runtime ?? 0;
        *(ulong*)(attr + 32) = s.Deadline ?? 0;
        *(ulong*)(attr + 40) = s.Period ?? 0;
        string text = s.Policy switch
        {
            "SCHED_FIFO" or "SCHED_RR" => $"priority {s.Priority ?? 0}",
            "SCHED_DEADLINE" => $"runtime {s.Runtime ?? 0} deadline {s.Deadline ?? 0} period {s.Period ?? 0}",
            _ => $"nice {s.Nice ?? 0}",
        };
        if (s.Flags is { Count: > 0 }) text += " flags " + string.Join("|", s.Flags);
        SetSchedulerStep.Emit(p, "process.scheduler", $"sched_setattr {s.Policy} {text}", (long)attr);
    }

    static void MemoryPolicy(SetupProgram p, MemoryPolicy m)
    {
        if (!SpecNames.MemoryPolicyModes.TryGetValue(m.Mode, out int mode))
            throw new RuntimeError($"linux.memoryPolicy.mode: unknown mode \"{m.Mode}\"");
        foreach (var f in m.Flags ?? new List<string>())
            mode |= SpecNames.MemoryPolicyFlags.TryGetValue(f, out int bit) ? bit : throw new RuntimeError($"linux.memoryPolicy.flags: unknown flag \"{f}\"");
        var mask = Mask(m.Nodes, "linux.memoryPolicy.nodes");
        // maxnode counts the bits the kernel may read, plus one (set_mempolicy(2)); none: NULL.
        long nodes = mask.Length == 0 ? 0 : p.Arena.Bytes(mask);
        long maxNode = mask.Length == 0 ? 0 : mask.Length * 8 + 1;
        string flags = m.Flags is { Count: > 0 } ? "|" + string.Join("|", m.Flags) : "";
        string text = $"set_mempolicy {m.Mode}{flags}" + (string.IsNullOrEmpty(m.Nodes) ? "" : $" nodes {m.Nodes}");
        SetMemoryPolicyStep.Emit(p, "linux.memoryPolicy", text, mode, nodes, maxNode);
    }

    /// <summary>The init, once in its cgroups: every CPU the cgroup's cpuset allows.</summary>
    public static void ResetAffinity(SetupProgram p)
    {
        var all = new byte[AllCpusBytes];
        Array.Fill(all, (byte)0xff);
        SetAffinityStep.Emit(p, "", "allow every CPU the cgroup allows, not csrun's own affinity", p.Arena.Bytes(all), all.Length);
    }

    /// <summary>exec: process.execCPUAffinity.initial, first thing, before the cgroup is joined (runc 1.3).</summary>
    public static void InitialAffinity(SetupProgram p, ProcessConfig? proc)
    {
        if (proc?.ExecCpuAffinity?.Initial is { Length: > 0 } initial)
            Affinity(p, initial, "process.execCPUAffinity.initial");
    }

    /// <summary>exec, once in the cgroup: process.execCPUAffinity.final; with no execCPUAffinity at
    /// all every CPU the cgroup allows; with only an initial one, that is kept (runc 1.3).</summary>
    public static void FinalAffinity(SetupProgram p, ProcessConfig? proc)
    {
        var aff = proc?.ExecCpuAffinity;
        if (aff?.Final is { Length: > 0 } final) Affinity(p, final, "process.execCPUAffinity.final");
        else if (aff?.Initial is not { Length: > 0 }) ResetAffinity(p);
    }

    static void Affinity(SetupProgram p, string list, string field)
    {
        var mask = Mask(list, field);
        SetAffinityStep.Emit(p, field, $"sched_setaffinity {list}", p.Arena.Bytes(mask), mask.Length);
    }

    /// <summary>A list such as "0-3,7" as a bit mask in whole 64-bit words (set_mempolicy reads
    /// longs), or nothing for an empty list.</summary>
    static byte[] Mask(string? list, string field)
    {
        if (string.IsNullOrEmpty(list)) return Array.Empty<byte>();
        var bits = Cgroups.Systemd.SystemdProperties.CpuMask(list, field);
        var mask = new byte[(bits.Length + 7) / 8 * 8];
        bits.CopyTo(mask, 0);
        return mask;
    }
}
