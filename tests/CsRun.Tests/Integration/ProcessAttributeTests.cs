using System.Text.Json;
using CsRun.Spec;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Integration;

/// <summary>
/// process.scheduler, process.ioPriority, linux.memoryPolicy and process.execCPUAffinity take
/// effect in the init and in exec'd processes, read back from inside with a static probe
/// (sched-probe.c: busybox has no chrt or ionice) and /proc; the kernel's refusals are errors
/// naming the field. csrun's own CPU affinity is not passed on to the container.
/// </summary>
public class ProcessAttributeTests
{
    static readonly Lazy<string> ProbeExe = new(() => StaticProbe.Build("Integration/sched-probe.c"));

    static Bundle WithProbe(params string[] args)
    {
        var b = new Bundle(args);
        File.Copy(ProbeExe.Value, Path.Combine(b.Rootfs, "bin", "probe"));
        return b;
    }

    /// <summary>A detached `sleep 100` container with the probe; the caller disposes the bundle.</summary>
    static (Bundle Bundle, string Id) Running(Action<Bundle>? configure = null)
    {
        var b = WithProbe("sleep", "100");
        configure?.Invoke(b);
        var id = b.NewId("pattr");
        var r = b.Csrun("run", "-d", "-b", b.Dir, id);
        r.ExitCode.Should().Be(0, r.ToString());
        return (b, id);
    }

    /// <summary>An `exec --process` file in the bundle.</summary>
    static string ProcessJson(Bundle b, ProcessConfig process)
    {
        string file = Path.Combine(b.Dir, $"process-{Guid.NewGuid():N}.json");
        File.WriteAllText(file, CsRun.Tests.Spec.ReferenceJson.Serialize(process));
        return file;
    }

    /// <summary>With RT group scheduling (cgroup v1 cpu.rt_runtime_us) a cgroup without real-time
    /// runtime refuses SCHED_FIFO/RR with EPERM, in runc too: give the container some.</summary>
    static void AllowRealtime(Bundle b)
    {
        if (!File.Exists("/sys/fs/cgroup/cpu/cpu.rt_runtime_us")) return;
        b.Config.Linux!.Resources ??= new Resources();
        b.Config.Linux.Resources.Cpu = new CpuResources { RealtimeRuntime = 10000, RealtimePeriod = 1000000 };
    }

    static string Line(string output, string prefix) => output.Split('\n').Single(l => l.StartsWith(prefix));

    [Fact]
    public void The_init_runs_with_the_configs_scheduler_io_priority_and_memory_policy()
    {
        using var b = WithProbe("sh", "-c", "probe && grep -c 'bind=static:0' /proc/self/numa_maps >/dev/null && echo numa_maps bind");
        b.Config.Process!.Scheduler = new Scheduler { Policy = "SCHED_RR", Priority = 5 };
        b.Config.Process.IoPriority = new IoPriority { Class = "IOPRIO_CLASS_BE", Priority = 6 };
        b.Config.Linux!.MemoryPolicy = new MemoryPolicy { Mode = "MPOL_BIND", Nodes = "0", Flags = new() { "MPOL_F_STATIC_NODES" } };
        AllowRealtime(b);
        var r = b.Run();
        r.ExitCode.Should().Be(0, r.ToString());
        Line(r.Stdout, "sched ").Should().StartWith("sched policy=2 nice=0 priority=5 ");
        Line(r.Stdout, "ioprio ").Should().Be("ioprio class=2 level=6");
        Line(r.Stdout, "mempolicy ").Should().Be($"mempolicy mode={2 | 1 << 15} nodes=0x1");
        r.Stdout.Should().Contain("numa_maps bind\n");
    }

    [Fact]
    public void Exec_gets_the_containers_settings_unless_its_process_json_has_its_own()
    {
        var (b, id) = Running(b =>
        {
            b.Config.Process!.Scheduler = new Scheduler { Policy = "SCHED_BATCH", Nice = 5 };
            b.Config.Process.IoPriority = new IoPriority { Class = "IOPRIO_CLASS_IDLE", Priority = 0 };
            b.Config.Linux!.MemoryPolicy = new MemoryPolicy { Mode = "MPOL_PREFERRED", Nodes = "0" };
        });
        using var _ = b;

        var r = b.Csrun("exec", id, "probe");
        r.ExitCode.Should().Be(0, r.ToString());
        Line(r.Stdout, "sched ").Should().StartWith("sched policy=3 nice=5 priority=0 ");
        Line(r.Stdout, "ioprio ").Should().Be("ioprio class=3 level=0");
        Line(r.Stdout, "mempolicy ").Should().Be("mempolicy mode=1 nodes=0x1");

        var process = b.Config.Process! with { Args = new() { "probe" } };
        string own = ProcessJson(b, process with
        {
            Scheduler = new Scheduler { Policy = "SCHED_OTHER", Nice = 2 },
            IoPriority = new IoPriority { Class = "IOPRIO_CLASS_BE", Priority = 1 },
        });
        string plain = ProcessJson(b, process with { Scheduler = null, IoPriority = null });
        r = b.Csrun("exec", "-p", own, id);
        r.ExitCode.Should().Be(0, r.ToString());
        Line(r.Stdout, "sched ").Should().StartWith("sched policy=0 nice=2 ");
        Line(r.Stdout, "ioprio ").Should().Be("ioprio class=2 level=1");
        r = b.Csrun("exec", "-p", plain, id);
        r.ExitCode.Should().Be(0, r.ToString());
        Line(r.Stdout, "sched ").Should().StartWith("sched policy=3 nice=5 ", "runc 1.2+ gives a process.json without one the container's");
        Line(r.Stdout, "ioprio ").Should().Be("ioprio class=3 level=0");
    }

    [Fact]
    public void A_deadline_exec_in_a_pid_namespace_runs_with_its_policy()
    {
        var (b, id) = Running();
        using var _ = b;
        string file = ProcessJson(b, b.Config.Process! with
        {
            Args = new() { "probe" },
            Scheduler = new Scheduler { Policy = "SCHED_DEADLINE", Runtime = 1_000_000, Deadline = 30_000_000, Period = 30_000_000 },
        });
        var r = b.Csrun("exec", "-p", file, id);
        r.ExitCode.Should().Be(0, r.ToString());
        Line(r.Stdout, "sched ").Should().Be("sched policy=6 nice=0 priority=0 runtime=1000000 deadline=30000000 period=30000000");
    }

    [Theory]
    [InlineData("scheduler", "process.scheduler: sched_setattr SCHED_DEADLINE runtime 0 deadline 0 period 0: invalid argument (EINVAL)")]
    [InlineData("memoryPolicy", "linux.memoryPolicy: set_mempolicy MPOL_BIND nodes 63: invalid argument (EINVAL)")]
    public void A_value_the_kernel_refuses_fails_the_create_naming_the_field(string field, string error)
    {
        using var b = WithProbe("true");
        if (field == "scheduler") b.Config.Process!.Scheduler = new Scheduler { Policy = "SCHED_DEADLINE" };
        else b.Config.Linux!.MemoryPolicy = new MemoryPolicy { Mode = "MPOL_BIND", Nodes = "63" };
        var id = b.NewId("pattr");
        var r = b.Csrun("run", "-b", b.Dir, id);
        r.ExitCode.Should().Be(1, r.ToString());
        r.Stderr.Should().Contain(error);
        b.Csrun("state", id).ExitCode.Should().Be(1, "nothing is left of a failed create");
        Directory.Exists($"/sys/fs/cgroup/pids/{id}").Should().BeFalse();
    }

    /// <summary>set_mempolicy(2)'s numbers, written out here so the test does not trust csrun's table.</summary>
    static readonly Dictionary<string, int> KernelModes = new()
    {
        ["MPOL_DEFAULT"] = 0, ["MPOL_PREFERRED"] = 1, ["MPOL_BIND"] = 2, ["MPOL_INTERLEAVE"] = 3, ["MPOL_LOCAL"] = 4,
        ["MPOL_PREFERRED_MANY"] = 5, ["MPOL_WEIGHTED_INTERLEAVE"] = 6,
        ["MPOL_F_STATIC_NODES"] = 1 << 15, ["MPOL_F_RELATIVE_NODES"] = 1 << 14, ["MPOL_F_NUMA_BALANCING"] = 1 << 13,
    };

    [Fact]
    public void Every_memory_policy_mode_and_flag_features_lists_takes_effect()
    {
        var r = CsrunCli.Run(new[] { "features" });
        var section = JsonDocument.Parse(r.Stdout).RootElement.GetProperty("linux").GetProperty("memoryPolicy");
        var modes = section.GetProperty("modes").EnumerateArray().Select(m => m.GetString()!).ToList();
        var flags = section.GetProperty("flags").EnumerateArray().Select(m => m.GetString()!).ToList();
        modes.Should().NotBeEmpty();
        var cases = modes.Select(m => (Mode: m, Flag: (string?)null)).Concat(flags.Select(f => ("MPOL_BIND", (string?)f)));
        using var b = WithProbe("probe");
        foreach (var (mode, flag) in cases)
        {
            b.Config.Linux!.MemoryPolicy = new MemoryPolicy
            {
                Mode = mode, Nodes = mode is "MPOL_DEFAULT" or "MPOL_LOCAL" ? null : "0", Flags = flag == null ? null : new() { flag },
            };
            r = b.Run();
            r.ExitCode.Should().Be(0, $"{mode} {flag}: {r}");
            int expected = KernelModes[mode] | (flag == null ? 0 : KernelModes[flag]);
            Line(r.Stdout, "mempolicy ").Should().StartWith($"mempolicy mode={expected} ", $"{mode} {flag}");
        }
    }

    static string CpusAllowed(int pid) =>
        File.ReadLines($"/proc/{pid}/status").Single(l => l.StartsWith("Cpus_allowed_list:"))["Cpus_allowed_list:".Length..].Trim();

    static string CpusAllowed(string output) => Line(output, "Cpus_allowed_list:")["Cpus_allowed_list:".Length..].Trim();

    [MultiCpuFact]
    public void Exec_cpu_affinity_is_initial_until_the_cgroup_is_joined_then_final()
    {
        var (b, id) = Running();
        using var _ = b;
        string init = CpusAllowed(InitPid(b, id));
        var cases = new (CpuAffinity? Affinity, string Expected)[]
        {
            (new CpuAffinity { Initial = "0", Final = "1" }, "1"),
            (new CpuAffinity { Initial = "1" }, "1"),
            (new CpuAffinity { Final = "0" }, "0"),
            (null, init),
        };
        foreach (var (affinity, expected) in cases)
        {
            string file = ProcessJson(b, b.Config.Process! with
            {
                Args = new() { "grep", "Cpus_allowed_list", "/proc/self/status" },
                ExecCpuAffinity = affinity,
            });
            // Run pinned to another CPU than the one expected: the exec must not inherit it.
            var r = CsrunCli.RunProgram("taskset", new[] { "-c", expected == "0" ? "1" : "0", TestHost.Csrun, "--root", b.StateRoot, "exec", "-p", file, id });
            r.ExitCode.Should().Be(0, r.ToString());
            CpusAllowed(r.Stdout).Should().Be(expected, $"execCPUAffinity {affinity}");
        }
    }

    [Fact]
    public void A_final_cpu_the_kernel_refuses_fails_the_exec_naming_the_field()
    {
        var (b, id) = Running();
        using var _ = b;
        string file = ProcessJson(b, b.Config.Process! with { Args = new() { "true" }, ExecCpuAffinity = new CpuAffinity { Final = "4000" } });
        var r = b.Csrun("exec", "-p", file, id);
        r.ExitCode.Should().Be(255, r.ToString());
        r.Stderr.Should().Contain("process.execCPUAffinity.final: sched_setaffinity 4000: invalid argument (EINVAL)");
    }

    [MultiCpuFact]
    public void Csrun_pinned_by_its_caller_does_not_pin_the_container()
    {
        using var b = WithProbe("sleep", "100");
        var id = b.NewId("pattr");
        b.Save();
        var r = CsrunCli.RunProgram("taskset", new[] { "-c", "0", TestHost.Csrun, "--root", b.StateRoot, "run", "-d", "-b", b.Dir, id });
        r.ExitCode.Should().Be(0, r.ToString());
        string expected = CpusetCpus(b, id);
        CpusAllowed(InitPid(b, id)).Should().Be(expected, "the init gets every CPU its cgroup's cpuset has, as with runc 1.3");
        r = CsrunCli.RunProgram("taskset", new[] { "-c", "0", TestHost.Csrun, "--root", b.StateRoot, "exec", id, "grep", "Cpus_allowed_list", "/proc/self/status" });
        r.ExitCode.Should().Be(0, r.ToString());
        CpusAllowed(r.Stdout).Should().Be(expected);
    }

    static int InitPid(Bundle b, string id) =>
        JsonDocument.Parse(b.Csrun("state", id).Stdout).RootElement.GetProperty("pid").GetInt32();

    /// <summary>The CPUs the container's cpuset allows (v1 cpuset, else the v2 cgroup's, else all online).</summary>
    static string CpusetCpus(Bundle b, string id)
    {
        var paths = JsonDocument.Parse(File.ReadAllText(Path.Combine(b.StateRoot, id, "state.json"))).RootElement.GetProperty("cgroupPaths")
            .EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
        if (paths.TryGetValue("cpuset", out var v1)) return File.ReadAllText(Path.Combine(v1, "cpuset.effective_cpus")).Trim();
        foreach (var dir in paths.Values)
            if (File.Exists(Path.Combine(dir, "cpuset.cpus.effective"))) return File.ReadAllText(Path.Combine(dir, "cpuset.cpus.effective")).Trim();
        return File.ReadAllText("/sys/devices/system/cpu/online").Trim();
    }
}

/// <summary>Skipped, saying so, where csrun may use only one CPU: pinning could not be told from the default.</summary>
public sealed class MultiCpuFactAttribute : FactAttribute
{
    public MultiCpuFactAttribute()
    {
        if (Environment.ProcessorCount < 2) Skip = "needs at least two CPUs";
    }
}
