using CsRun.Errors;
using CsRun.Spec;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Cgroups;

/// <summary>linux.resources written to this host's real v1 hierarchies and read back.</summary>
public class V1ResourcesTests
{
    const long MiB = 1 << 20;

    [Fact]
    public void Memory_limits_are_written()
    {
        using var cg = new TestCgroup();
        cg.Started();

        cg.Manager.Apply(new Resources
        {
            Memory = new() { Limit = 64 * MiB, Swap = 128 * MiB, Reservation = 32 * MiB, Swappiness = 10, Kernel = 1 * MiB },
        });

        cg.Read("memory", "memory.limit_in_bytes").Should().Be((64 * MiB).ToString());
        cg.Read("memory", "memory.memsw.limit_in_bytes").Should().Be((128 * MiB).ToString());
        cg.Read("memory", "memory.soft_limit_in_bytes").Should().Be((32 * MiB).ToString());
        cg.Read("memory", "memory.swappiness").Should().Be("10");
    }

    [Fact]
    public void Memory_and_swap_grow_and_shrink_in_an_order_the_kernel_accepts()
    {
        using var cg = new TestCgroup();
        cg.Started(new Resources { Memory = new() { Limit = 64 * MiB, Swap = 128 * MiB } });
        cg.Manager.Apply(new Resources { Memory = new() { Limit = 64 * MiB, Swap = 128 * MiB } });

        // Memory above the old memsw: memsw must go first.
        cg.Manager.Apply(new Resources { Memory = new() { Limit = 256 * MiB, Swap = 512 * MiB } });
        cg.Read("memory", "memory.limit_in_bytes").Should().Be((256 * MiB).ToString());
        cg.Read("memory", "memory.memsw.limit_in_bytes").Should().Be((512 * MiB).ToString());

        // memsw below the old memory limit: memory must go first.
        cg.Manager.Apply(new Resources { Memory = new() { Limit = 32 * MiB, Swap = 48 * MiB } });
        cg.Read("memory", "memory.limit_in_bytes").Should().Be((32 * MiB).ToString());
        cg.Read("memory", "memory.memsw.limit_in_bytes").Should().Be((48 * MiB).ToString());

        // Unlimited memory lifts memsw too.
        cg.Manager.Apply(new Resources { Memory = new() { Limit = -1 } });
        cg.Read("memory", "memory.memsw.limit_in_bytes").Should().Be(cg.Read("memory", "memory.limit_in_bytes"));
    }

    [Fact]
    public void Cpu_shares_quota_and_period_are_written()
    {
        using var cg = new TestCgroup();
        cg.Started();

        cg.Manager.Apply(new Resources { Cpu = new() { Shares = 512, Quota = 50000, Period = 200000 } });

        cg.Read("cpu", "cpu.shares").Should().Be("512");
        cg.Read("cpu", "cpu.cfs_quota_us").Should().Be("50000");
        cg.Read("cpu", "cpu.cfs_period_us").Should().Be("200000");
    }

    [Fact]
    public void Cpuset_cpus_and_mems_are_written()
    {
        using var cg = new TestCgroup();
        cg.Started(new Resources { Cpu = new() { Cpus = "0", Mems = "0" } });

        cg.Read("cpuset", "cpuset.cpus").Should().Be("0");
        cg.Read("cpuset", "cpuset.mems").Should().Be("0");
    }

    [Fact]
    public void Pids_limit_is_written_and_a_negative_one_lifts_it()
    {
        using var cg = new TestCgroup();
        cg.Started();

        cg.Manager.Apply(new Resources { Pids = new() { Limit = 42 } });
        cg.Read("pids", "pids.max").Should().Be("42");

        cg.Manager.Apply(new Resources { Pids = new() { Limit = -1 } });
        cg.Read("pids", "pids.max").Should().Be("max");
    }

    [Fact]
    public void Blkio_throttles_are_written_and_a_weight_where_the_scheduler_has_one()
    {
        using var cg = new TestCgroup();
        cg.Started();
        var (major, minor) = SomeBlockDevice();
        // Without CFQ or BFQ a weight is an error (SpecFieldGapTests); here it goes only where it applies.
        bool weights = File.Exists(Path.Combine(cg.Dir("blkio"), "blkio.weight")) || File.Exists(Path.Combine(cg.Dir("blkio"), "blkio.bfq.weight"));

        cg.Manager.Apply(new Resources
        {
            BlockIo = new()
            {
                Weight = weights ? 300 : null,
                ThrottleReadBpsDevice = new() { new() { Major = major, Minor = minor, Rate = 1048576 } },
                ThrottleWriteIopsDevice = new() { new() { Major = major, Minor = minor, Rate = 100 } },
            },
        });

        cg.Read("blkio", "blkio.throttle.read_bps_device").Should().Be($"{major}:{minor} 1048576");
        cg.Read("blkio", "blkio.throttle.write_iops_device").Should().Be($"{major}:{minor} 100");
        if (File.Exists(Path.Combine(cg.Dir("blkio"), "blkio.weight"))) cg.Read("blkio", "blkio.weight").Should().Be("300");
        else if (File.Exists(Path.Combine(cg.Dir("blkio"), "blkio.bfq.weight"))) cg.Read("blkio", "blkio.bfq.weight").Should().Be("300");
    }

    [Fact]
    public void Device_rules_are_written_in_order()
    {
        using var cg = new TestCgroup();
        cg.Started();

        cg.Manager.Apply(new Resources
        {
            Devices = new()
            {
                new() { Allow = false, Access = "rwm" },
                new() { Allow = true, Type = "c", Major = 1, Minor = 3, Access = "rwm" },
                new() { Allow = true, Type = "c", Major = 136, Access = "rw" },
                new() { Allow = true, Type = "c", Major = 1, Minor = 5, Access = "rwm" },
                new() { Allow = false, Type = "c", Major = 1, Minor = 5, Access = "w" },
            },
        });

        cg.Read("devices", "devices.list").Split('\n').Should().BeEquivalentTo("c 1:3 rwm", "c 136:* rw", "c 1:5 rm");
    }

    [Fact]
    public void A_refused_write_names_the_field_the_file_and_the_errno()
    {
        using var cg = new TestCgroup();
        cg.Started();

        // The kernel refuses a CFS quota below 1 ms.
        var act = () => cg.Manager.Apply(new Resources { Cpu = new() { Quota = 500 } });

        act.Should().Throw<RuntimeError>()
            .WithMessage($"linux.resources.cpu.quota: write {cg.Dir("cpu")}/cpu.cfs_quota_us: invalid argument");
    }

    [Fact]
    public void A_memory_limit_below_usage_reports_the_usage()
    {
        using var cg = new TestCgroup();
        // swappiness 0: the kernel may not swap the cgroup's anonymous memory out to make room.
        cg.Started(new Resources { Memory = new() { Swappiness = 0 } });
        // The shell joins first, then fills 30 MB of its own memory, charged to the cgroup.
        var sh = cg.Shell("read go; v=$(head -c 30000000 /dev/zero | tr '\\0' a); sleep 100");
        cg.Manager.AddProcess(sh.Id);
        sh.StandardInput.WriteLine("go");
        sh.StandardInput.Flush();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (long.Parse(cg.Read("memory", "memory.usage_in_bytes")) < 25 * MiB && clock.ElapsedMilliseconds < 10000) Thread.Sleep(20);

        var act = () => cg.Manager.Apply(new Resources { Memory = new() { Limit = 4096 } });

        act.Should().Throw<RuntimeError>().Which.Message.Should().MatchRegex(
            $"^linux.resources.memory.limit: write {cg.Dir("memory")}/memory.limit_in_bytes: device or resource busy \\(current usage: \\d+, peak usage: \\d+\\)$");
    }

    [Fact]
    public void Unified_resources_are_refused_on_v1()
    {
        using var cg = new TestCgroup();
        cg.Started();

        var act = () => cg.Manager.Apply(new Resources { Unified = new() { ["memory.high"] = "1G" } });

        act.Should().Throw<RuntimeError>().WithMessage("linux.resources.unified: invalid configuration: cannot use unified on cgroup v1");
    }

    [Fact]
    public void Resources_for_a_controller_this_host_lacks_name_the_field()
    {
        using var cg = new TestCgroup();
        cg.Started();
        if (cg.Manager.Paths.ContainsKey("net_cls")) return; // this host has it: nothing to show

        var act = () => cg.Manager.Apply(new Resources { Network = new() { ClassId = 0x100001 } });

        act.Should().Throw<RuntimeError>().WithMessage("linux.resources.network.classID: the net_cls cgroup controller is not mounted on this host");
    }

    static (long Major, long Minor) SomeBlockDevice()
    {
        string dev = Directory.GetDirectories("/sys/block").Select(d => Path.Combine(d, "dev")).First(File.Exists);
        var parts = File.ReadAllText(dev).Trim().Split(':');
        return (long.Parse(parts[0]), long.Parse(parts[1]));
    }
}
