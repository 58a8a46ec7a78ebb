using System.Text.Json;
using CsRun.Spec;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Integration;

/// <summary>Spec fields no other test showed taking effect (found by SpecModelCoverageTests'
/// table): each set on a real container and observed.</summary>
public class SpecFieldGapTests
{
    [Fact]
    public void Cpu_burst_realtime_oom_killer_and_every_throttle_reach_the_containers_cgroups()
    {
        using var b = new Bundle("sleep", "100");
        var (major, minor) = SomeBlockDevice();
        ThrottleDevice Rate(ulong rate) => new() { Major = major, Minor = minor, Rate = rate };
        b.Config.Linux!.Resources = new Resources
        {
            Memory = new MemoryResources { Limit = 64 << 20, DisableOomKiller = true },
            Cpu = new CpuResources { Quota = 50000, Period = 100000, Burst = 20000, RealtimeRuntime = 5000, RealtimePeriod = 1000000 },
            BlockIo = new BlockIo
            {
                ThrottleReadBpsDevice = new() { Rate(1048576) },
                ThrottleWriteBpsDevice = new() { Rate(2097152) },
                ThrottleReadIopsDevice = new() { Rate(300) },
                ThrottleWriteIopsDevice = new() { Rate(400) },
            },
        };
        var c = new CgroupFixture(b).Run();

        c.Read("memory", "memory.oom_control").Should().Contain("oom_kill_disable 1");
        c.ReadNumber("cpu", "cpu.cfs_burst_us").Should().Be(20000);
        c.ReadNumber("cpu", "cpu.rt_runtime_us").Should().Be(5000);
        c.ReadNumber("cpu", "cpu.rt_period_us").Should().Be(1000000);
        c.Read("blkio", "blkio.throttle.read_bps_device").Should().Be($"{major}:{minor} 1048576");
        c.Read("blkio", "blkio.throttle.write_bps_device").Should().Be($"{major}:{minor} 2097152");
        c.Read("blkio", "blkio.throttle.read_iops_device").Should().Be($"{major}:{minor} 300");
        c.Read("blkio", "blkio.throttle.write_iops_device").Should().Be($"{major}:{minor} 400");
        c.Finish();
    }

    /// <summary>This host mounts no hugetlb, net_prio or rdma hierarchy: a limit for one is an
    /// error naming the field (a host that has the controller skips these).</summary>
    [WithoutControllerFact("hugetlb")]
    public void Hugepage_limits_without_hugetlb_are_an_error_naming_the_field() =>
        Refused(new Resources { HugepageLimits = new() { new HugepageLimit { PageSize = "2MB", Limit = 2 << 20 } } },
            "linux.resources.hugepageLimits: the hugetlb cgroup controller is not mounted on this host");

    [WithoutControllerFact("net_prio")]
    public void Net_priorities_without_net_prio_are_an_error_naming_the_field() =>
        Refused(new Resources { Network = new NetworkResources { Priorities = new() { new InterfacePriority { Name = "lo", Priority = 3 } } } },
            "linux.resources.network.priorities[0]: the net_prio cgroup controller is not mounted on this host");

    [WithoutControllerFact("rdma")]
    public void Rdma_limits_without_rdma_are_an_error_naming_the_field() =>
        Refused(new Resources { Rdma = new() { ["mlx5_0"] = new RdmaLimit { HcaHandles = 3, HcaObjects = 1000 } } },
            "linux.resources.rdma: the rdma cgroup controller is not mounted on this host");

    /// <summary>Kernels since 5.16 are always hierarchical: true takes, false is the kernel's
    /// EINVAL naming the field (csrun once parsed the field and dropped it).</summary>
    [Fact]
    public void Use_hierarchy_true_is_written_and_false_is_an_error_naming_the_field()
    {
        using (var b = new Bundle("sh", "-c", "cat /sys/fs/cgroup/memory/memory.use_hierarchy"))
        {
            b.Config.Linux!.Resources = new Resources { Memory = new MemoryResources { UseHierarchy = true } };
            var ok = b.Run();
            ok.ExitCode.Should().Be(0, ok.ToString());
        }
        Refused(new Resources { Memory = new MemoryResources { UseHierarchy = false } },
            "linux.resources.memory.useHierarchy");
        using var c = new Bundle("true");
        c.Config.Linux!.Resources = new Resources { Memory = new MemoryResources { UseHierarchy = false } };
        c.Run().Stderr.Should().Contain("memory.use_hierarchy").And.Contain("invalid argument");
    }

    static void Refused(Resources resources, string message)
    {
        using var b = new Bundle("true");
        b.Config.Linux!.Resources = resources;
        var r = b.Run();
        r.ExitCode.Should().Be(1, r.ToString());
        r.Stderr.Should().Contain(message);
    }

    [Fact]
    public void Annotations_reach_state_and_the_hooks_state()
    {
        using var b = new Bundle("sleep", "100");
        string hookState = Path.Combine(b.Dir, "hook-state.json");
        b.Config.Annotations = new() { ["org.example.key"] = "value-1", ["io.example.other"] = "" };
        b.Config.Hooks = new() { CreateRuntime = new() { new Hook { Path = "/bin/sh", Args = new() { "sh", "-c", $"cat > {hookState}" } } } };
        var id = b.NewId("ann");
        b.Csrun("create", "-b", b.Dir, id).ExitCode.Should().Be(0);
        try
        {
            var state = b.Csrun("state", id);
            state.ExitCode.Should().Be(0, state.ToString());
            foreach (var json in new[] { state.Stdout, File.ReadAllText(hookState) })
            {
                var a = JsonDocument.Parse(json).RootElement.GetProperty("annotations");
                a.GetProperty("org.example.key").GetString().Should().Be("value-1");
                a.GetProperty("io.example.other").GetString().Should().Be("");
            }
        }
        finally
        {
            b.Csrun("delete", "-f", id).ExitCode.Should().Be(0);
        }
    }

    /// <summary>No CFQ or BFQ here (schedulers none, mq-deadline, kyber): the v1 blkio hierarchy
    /// has no weight files, and a weight is an error naming the field, as in runc 1.1.5
    /// ("openat2 …/blkio.bfq.weight: no such file or directory"); csrun once warned and ran.</summary>
    [WithoutBlkioWeightsFact]
    public void Blkio_weights_without_cfq_or_bfq_are_errors_naming_the_field()
    {
        var (major, minor) = SomeBlockDevice();
        Refused(new Resources { BlockIo = new BlockIo { Weight = 500 } }, "linux.resources.blockIO.weight: cannot apply: ");
        Refused(new Resources { BlockIo = new BlockIo { LeafWeight = 500 } }, "linux.resources.blockIO.leafWeight: cannot apply: ");
        Refused(new Resources { BlockIo = new BlockIo { WeightDevice = new() { new WeightDevice { Major = major, Minor = minor, Weight = 300 } } } },
            "linux.resources.blockIO.weightDevice[0]: cannot apply: ");
        Refused(new Resources { BlockIo = new BlockIo { WeightDevice = new() { new WeightDevice { Major = major, Minor = minor, LeafWeight = 300 } } } },
            "linux.resources.blockIO.weightDevice[0]: cannot apply: ");
    }

    static (long Major, long Minor) SomeBlockDevice()
    {
        string dev = Directory.GetDirectories("/sys/block").Select(d => Path.Combine(d, "dev")).First(File.Exists);
        var parts = File.ReadAllText(dev).Trim().Split(':');
        return (long.Parse(parts[0]), long.Parse(parts[1]));
    }
}

/// <summary>Skipped where the host mounts a v1 hierarchy with this controller.</summary>
public sealed class WithoutControllerFactAttribute : FactAttribute
{
    public WithoutControllerFactAttribute(string controller)
    {
        bool present = Directory.Exists("/sys/fs/cgroup") && Directory.GetDirectories("/sys/fs/cgroup")
            .Any(d => Path.GetFileName(d).Split(',').Contains(controller));
        if (present) Skip = $"this host mounts the {controller} controller: the limit applies instead of failing";
    }
}

/// <summary>Skipped where the v1 blkio hierarchy has weight files (CFQ or BFQ in use).</summary>
public sealed class WithoutBlkioWeightsFactAttribute : FactAttribute
{
    public WithoutBlkioWeightsFactAttribute()
    {
        const string root = "/sys/fs/cgroup/blkio";
        if (!Directory.Exists(root)) Skip = "no v1 blkio hierarchy on this host";
        else if (File.Exists(Path.Combine(root, "blkio.weight")) || File.Exists(Path.Combine(root, "blkio.bfq.weight")))
            Skip = "this host has blkio weight files (CFQ or BFQ)";
    }
}
