using CsRun.Container;
using CsRun.Launch;
using CsRun.Spec;
using CsRun.Tests.Integration;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Launch;

/// <summary>process.scheduler, ioPriority, linux.memoryPolicy and the CPU affinity as compiled
/// steps: their arguments, and where they sit in the init's and exec's programs.</summary>
public unsafe class ScheduleCompilerTests
{
    static readonly (string, bool)[] V1Tasks = { ("/sys/fs/cgroup/cpuset/c/tasks", false) };

    static Config Config(Action<Config> edit)
    {
        var c = Bundle.DefaultConfig(new[] { "true" });
        edit(c);
        return c;
    }

    static SetupProgram Exec(Config c) =>
        ExecCompiler.Compile(new CompileContext { Config = c, BundleDir = "/b", Rootfs = "/b/rootfs", CgroupSelfJoin = V1Tasks }, new List<(string, int)> { ("pid", 5), ("mnt", 6) });

    static SetupProgram Create(Config c) =>
        Compiler.Compile(new CompileContext { Config = c, BundleDir = "/b", Rootfs = "/b/rootfs", FifoFd = 7 });

    [Fact]
    public void The_scheduler_is_a_sched_attr_of_the_kernels_layout_set_before_the_capability_drop()
    {
        var p = Create(Config(c => c.Process!.Scheduler = new() { Policy = "SCHED_RR", Priority = 7, Flags = new() { "SCHED_FLAG_RESET_ON_FORK" } }));
        var step = p.Steps.Single(s => s.Kind == StepKind.SetScheduler);
        step.Field.Should().Be("process.scheduler");
        step.Text.Should().Be("sched_setattr SCHED_RR priority 7 flags SCHED_FLAG_RESET_ON_FORK");
        byte* attr = (byte*)step.ArgsAs<SetSchedulerStep>().Attr;
        (*(uint*)attr).Should().Be(56);
        (*(uint*)(attr + 4)).Should().Be(2);
        (*(ulong*)(attr + 8)).Should().Be(1);
        (*(uint*)(attr + 20)).Should().Be(7);
        p.Steps.IndexOf(step).Should().BeLessThan(p.Steps.FindIndex(s => s.Kind == StepKind.DropBounding));
    }

    [Fact]
    public void Io_priority_and_memory_policy_carry_the_kernels_values()
    {
        var p = Create(Config(c =>
        {
            c.Process!.IoPriority = new() { Class = "IOPRIO_CLASS_BE", Priority = 6 };
            c.Linux!.MemoryPolicy = new() { Mode = "MPOL_BIND", Nodes = "0,65", Flags = new() { "MPOL_F_STATIC_NODES" } };
        }));
        p.Steps.Single(s => s.Kind == StepKind.SetIoPriority).ArgsAs<SetIoPriorityStep>().Value.Should().Be((2 << 13) | 6);
        var m = p.Steps.Single(s => s.Kind == StepKind.SetMemoryPolicy);
        m.ArgsAs<SetMemoryPolicyStep>().Mode.Should().Be(2 | (1 << 15));
        m.ArgsAs<SetMemoryPolicyStep>().MaxNode.Should().Be(2 * 64 + 1, "two longs of mask, and maxnode counts one past the last bit");
        ((ulong*)m.ArgsAs<SetMemoryPolicyStep>().NodeMask)[0].Should().Be(1);
        ((ulong*)m.ArgsAs<SetMemoryPolicyStep>().NodeMask)[1].Should().Be(2);
        var local = Create(Config(c => c.Linux!.MemoryPolicy = new() { Mode = "MPOL_LOCAL" })).Steps.Single(s => s.Kind == StepKind.SetMemoryPolicy);
        (local.ArgsAs<SetMemoryPolicyStep>().NodeMask, local.ArgsAs<SetMemoryPolicyStep>().MaxNode).Should().Be((0L, 0L));
    }

    [Fact]
    public void Exec_sets_the_initial_affinity_before_joining_the_cgroup_and_the_final_one_after()
    {
        var p = Exec(Config(c => c.Process!.ExecCpuAffinity = new() { Initial = "1", Final = "0-1" }));
        p.Steps.Take(4).Select(s => (s.Kind, s.Field)).Should().Equal(
            (StepKind.SetAffinity, "process.execCPUAffinity.initial"), (StepKind.JoinCgroup, "linux.cgroupsPath"),
            (StepKind.SyncWait, ""), (StepKind.SetAffinity, "process.execCPUAffinity.final"));
        (*(byte*)p.Steps[0].ArgsAs<SetAffinityStep>().Mask).Should().Be(2);
        (*(byte*)p.Steps[3].ArgsAs<SetAffinityStep>().Mask).Should().Be(3);
    }

    [Fact]
    public void Exec_without_exec_affinity_gets_every_cpu_and_with_only_an_initial_one_keeps_it()
    {
        var none = Exec(Config(_ => { }));
        none.Steps.Where(s => s.Kind == StepKind.SetAffinity).Should().ContainSingle().Which.ArgsAs<SetAffinityStep>().Length.Should().Be(1024);
        none.Steps.FindIndex(s => s.Kind == StepKind.SetAffinity).Should().BeGreaterThan(none.Steps.FindIndex(s => s.Kind == StepKind.SyncWait));
        var initial = Exec(Config(c => c.Process!.ExecCpuAffinity = new() { Initial = "0" }));
        initial.Steps.Where(s => s.Kind == StepKind.SetAffinity).Should().ContainSingle().Which.Field.Should().Be("process.execCPUAffinity.initial");
    }

    [Theory]
    [InlineData("SCHED_DEADLINE", null, false)]
    [InlineData("SCHED_FIFO", "SCHED_FLAG_RESET_ON_FORK", false)]
    [InlineData("SCHED_FIFO", null, true)]
    public void Exec_forks_into_the_pid_namespace_before_a_policy_a_fork_would_refuse_or_drop(string policy, string? flag, bool late)
    {
        var p = Exec(Config(c => c.Process!.Scheduler = new()
        {
            Policy = policy, Priority = policy == "SCHED_FIFO" ? 1 : null, Flags = flag == null ? null : new() { flag },
            Runtime = policy == "SCHED_DEADLINE" ? 1000000UL : null, Deadline = policy == "SCHED_DEADLINE" ? 2000000UL : null,
        }));
        int fork = p.Steps.FindIndex(s => s.Kind == StepKind.ForkInit), sched = p.Steps.FindIndex(s => s.Kind == StepKind.SetScheduler);
        (fork > sched).Should().Be(late);
    }
}
