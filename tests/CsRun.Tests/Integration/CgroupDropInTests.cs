using System.Text.Json;
using CsRun.Spec;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Integration;

/// <summary>Cgroup settings where csrun differed from runc or the kernel (issue 15): pids.limit 0, cpu.idle, kernelTCP.</summary>
public class CgroupDropInTests
{
    /// <summary>A file of the container's cgroup in a v1 controller's hierarchy, else the unified one.</summary>
    static string Read(string id, string v1Controller, string file)
    {
        var dirs = Leftovers.CgroupDirs(id);
        var dir = dirs.FirstOrDefault(d => d.StartsWith($"/sys/fs/cgroup/{v1Controller}/")) ?? dirs.First();
        return File.ReadAllText(Path.Combine(dir, file)).Trim();
    }

    static int InitPid(Bundle b, string id) => JsonDocument.Parse(b.Csrun("state", id).Stdout).RootElement.GetProperty("pid").GetInt32();

    /// <summary>
    /// `pids.limit: 0`: a limit for a config of spec 1.3 (config-linux.md), written as 1 as runc
    /// 1.4 writes it, so the init cannot fork; before 1.3 it meant "leave pids.max alone" (what
    /// runc 1.1.5 does). The same rule for `update`, by the container's ociVersion.
    /// </summary>
    [Theory]
    [InlineData("1.3.0", "1")]
    [InlineData("1.2.0", "max")]
    [InlineData("1.0.2-dev", "max")]
    public void Pids_limit_0_follows_the_configs_ociVersion(string ociVersion, string expected)
    {
        using var b = new Bundle("sh", "-c", "read l < /sys/fs/cgroup/pids/pids.max; echo $l; (true) && echo forked");
        b.Config.OciVersion = ociVersion;
        b.Config.Linux!.Resources = new Resources { Pids = new PidsResources { Limit = 0 } };
        var r = b.Run();
        r.Stdout.Should().StartWith(expected + "\n", r.ToString());
        if (expected == "1") r.Stdout.Should().NotContain("forked", "pids.limit 0 lets no process fork");
        else r.Stdout.Should().Contain("forked");

        b.Config.Linux.Resources = new Resources { Pids = new PidsResources { Limit = 20 } };
        b.Config.Process!.Args = new() { "sleep", "100" };
        var id = b.NewId();
        b.Csrun("run", "-d", "-b", b.Dir, id).ExitCode.Should().Be(0);
        int pid = InitPid(b, id);
        Read(id, "pids", "pids.max").Should().Be("20");
        b.Csrun("update", "--pids-limit", "0", id).ExitCode.Should().Be(0);
        Read(id, "pids", "pids.max").Should().Be(expected == "1" ? "1" : "20", "update reads 0 as the container's ociVersion says");
        b.Csrun("update", "--pids-limit", "-1", id).ExitCode.Should().Be(0);
        Read(id, "pids", "pids.max").Should().Be("max");
        b.Csrun("delete", "-f", id).ExitCode.Should().Be(0);
        TestHost.Reap(pid);
    }

    /// <summary>
    /// `update --cpu-idle 1` then any update: the saved shares must not be written while the
    /// group is idle (the kernel answers EINVAL, and each later update failed for good); idle 0
    /// comes back with the saved shares, written after idle is cleared.
    /// </summary>
    [CpuIdleFact]
    public void Updates_after_cpu_idle_keep_working_and_restore_the_shares()
    {
        using var b = new Bundle("sleep", "100");
        b.Config.Linux!.Resources = new Resources { Cpu = new CpuResources { Shares = 512 } };
        var id = b.NewId();
        b.Csrun("run", "-d", "-b", b.Dir, id).ExitCode.Should().Be(0);
        int pid = InitPid(b, id);
        string weightFile = Directory.Exists("/sys/fs/cgroup/cpu") ? "cpu.shares" : "cpu.weight";
        string before = Read(id, "cpu", weightFile);

        var r = b.Csrun("update", "--cpu-idle", "1", id);
        r.ExitCode.Should().Be(0, r.ToString());
        Read(id, "cpu", "cpu.idle").Should().Be("1");
        r = b.Csrun("update", "--memory", "64m", id);
        r.ExitCode.Should().Be(0, "an update of anything else must not write the shares of an idle group: " + r);
        r = b.Csrun("update", "--cpu-share", "256", id);
        r.ExitCode.Should().Be(0, r.ToString());
        r = b.Csrun("update", "--cpu-idle", "0", id);
        r.ExitCode.Should().Be(0, r.ToString());
        Read(id, "cpu", "cpu.idle").Should().Be("0");
        Read(id, "cpu", weightFile).Should().NotBe(before, "the shares saved while idle (256) apply once idle is off");
        if (weightFile == "cpu.shares") Read(id, "cpu", weightFile).Should().Be("256");
        b.Csrun("delete", "-f", id).ExitCode.Should().Be(0);
        TestHost.Reap(pid);
    }

    /// <summary>
    /// memory.kernelTCP on cgroup v1: set in memory.kmem.tcp.limit_in_bytes, which this kernel
    /// still enforces (crun sets it too); the `kernel` limit's warning is for `kernel` alone.
    /// </summary>
    [KernelTcpFact]
    public void KernelTcp_is_set_on_cgroup_v1_and_updated()
    {
        using var b = new Bundle("sleep", "100");
        b.Config.Linux!.Resources = new Resources { Memory = new MemoryResources { KernelTcp = 20 << 20 } };
        var id = b.NewId();
        var r = b.Csrun("run", "-d", "-b", b.Dir, id);
        r.ExitCode.Should().Be(0, r.ToString());
        r.Stderr.Should().NotContain("Kernel memory settings are ignored");
        int pid = InitPid(b, id);
        Read(id, "memory", "memory.kmem.tcp.limit_in_bytes").Should().Be((20 << 20).ToString());
        r = b.Csrun("update", "--kernel-memory-tcp", "30m", id);
        r.ExitCode.Should().Be(0, r.ToString());
        r.Stderr.Should().NotContain("Kernel memory settings are ignored");
        Read(id, "memory", "memory.kmem.tcp.limit_in_bytes").Should().Be((30 << 20).ToString());
        b.Csrun("update", "--memory", "64m", id).ExitCode.Should().Be(0);
        Read(id, "memory", "memory.kmem.tcp.limit_in_bytes").Should().Be((30 << 20).ToString(), "the saved kernelTCP is kept");
        r = b.Csrun("update", "--kernel-memory", "30m", id);
        r.ExitCode.Should().Be(0, r.ToString());
        r.Stderr.Should().Contain("Kernel memory settings are ignored", "the `kernel` limit is not enforced by the kernel any more");
        b.Csrun("delete", "-f", id).ExitCode.Should().Be(0);
        TestHost.Reap(pid);
    }
}

/// <summary>cpu.idle arrived in Linux 5.15.</summary>
public sealed class CpuIdleFactAttribute : FactAttribute
{
    public CpuIdleFactAttribute()
    {
        if (Environment.OSVersion.Version < new Version(5, 15)) Skip = "cpu.idle needs Linux 5.15";
    }
}

/// <summary>A v1 memory hierarchy with kmem accounting (not on cgroup v2).</summary>
public sealed class KernelTcpFactAttribute : FactAttribute
{
    public KernelTcpFactAttribute()
    {
        if (!File.Exists("/sys/fs/cgroup/memory/memory.kmem.tcp.limit_in_bytes"))
            Skip = "no /sys/fs/cgroup/memory/memory.kmem.tcp.limit_in_bytes (cgroup v2, or no kmem accounting)";
    }
}
