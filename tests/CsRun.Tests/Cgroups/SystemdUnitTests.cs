using CsRun.Cgroups;
using CsRun.Cgroups.Systemd;
using CsRun.Errors;
using CsRun.Spec;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Cgroups;

/// <summary>cgroupsPath "slice:prefix:name" to unit and directory, and resources to unit properties (runc's rules).</summary>
public class SystemdUnitTests
{
    [Theory]
    [InlineData(null, "csrun-ID.scope", "/sys/fs/cgroup/system.slice/csrun-ID.scope")]
    [InlineData("", "csrun-ID.scope", "/sys/fs/cgroup/system.slice/csrun-ID.scope")]
    [InlineData("machine.slice:libpod:abc", "libpod-abc.scope", "/sys/fs/cgroup/machine.slice/libpod-abc.scope")]
    [InlineData(":docker:1", "docker-1.scope", "/sys/fs/cgroup/system.slice/docker-1.scope")]
    [InlineData("a-b-c.slice:p:n", "p-n.scope", "/sys/fs/cgroup/a.slice/a-b.slice/a-b-c.slice/p-n.scope")]
    [InlineData("-.slice:p:n", "p-n.scope", "/sys/fs/cgroup/p-n.scope")]
    [InlineData("kubepods.slice:cri:x.slice", "x.slice", "/sys/fs/cgroup/kubepods.slice/x.slice")]
    public void Unit_and_directory(string? cgroupsPath, string unit, string dir)
    {
        var u = SystemdUnit.Parse("ID", cgroupsPath);

        u.UnitName.Should().Be(unit);
        u.CgroupDir("/sys/fs/cgroup/").Should().Be(dir);
    }

    [Theory]
    [InlineData("a:b", "*expected cgroupsPath to be of format \"slice:prefix:name\"*")]
    [InlineData("a:b:c:d", "*expected cgroupsPath to be of format*")]
    [InlineData("foo:p:n", "linux.cgroupsPath: invalid slice name: foo")]
    [InlineData("a--b.slice:p:n", "linux.cgroupsPath: invalid slice name: a--b.slice")]
    [InlineData("a/b.slice:p:n", "linux.cgroupsPath: invalid slice name: a/b.slice")]
    [InlineData("system.slice:p:", "linux.cgroupsPath: system.slice:p:: the unit name is empty")]
    [InlineData("system.slice:p:a/b", "*\"p-a/b.scope\" is not a valid systemd unit name")]
    public void Invalid_paths_are_refused(string cgroupsPath, string message)
    {
        var act = () => SystemdUnit.Parse("ID", cgroupsPath);

        act.Should().Throw<RuntimeError>().WithMessage(message);
    }

    static List<string> Props(Resources r, int version = 252) => SystemdProperties.For(r, version, out _).Select(p => p.ToString()).ToList();

    [Fact]
    public void Memory_cpu_and_pids_limits()
    {
        var r = new Resources
        {
            Memory = new() { Limit = 64 << 20, Reservation = 32 << 20, Swap = 128 << 20 },
            Cpu = new() { Shares = 512, Quota = 50000, Period = 100000 },
            Pids = new() { Limit = 42 },
        };

        Props(r).Should().Equal(
            "MemoryMax=67108864", "MemoryLow=33554432", "MemorySwapMax=67108864",
            "CPUWeight=59", "CPUQuotaPeriodUSec=100000", "CPUQuotaPerSecUSec=500000", "TasksMax=42");
    }

    [Fact]
    public void Unlimited_values_are_infinity() =>
        Props(new Resources { Memory = new() { Limit = -1 }, Pids = new() { Limit = -1 }, Cpu = new() { Quota = -1 } })
            .Should().Equal("MemoryMax=infinity", "MemorySwapMax=infinity", "CPUQuotaPerSecUSec=infinity", "TasksMax=infinity");

    /// <summary>A pids limit of 0 that reaches the driver (spec 1.3 on, PidsWriter.ForVersion) is
    /// TasksMax=1, as runc 1.4 sets it: systemd refuses 0. An older config's 0 never gets here.</summary>
    [Fact]
    public void A_pids_limit_of_0_is_tasks_max_1_for_a_spec_1_3_config()
    {
        var r = new Resources { Pids = new() { Limit = 0 } };
        Props(PidsWriter.ForVersion(r, "1.3.0")!).Should().Equal("TasksMax=1");
        Props(PidsWriter.ForVersion(r, "1.2.1")!).Should().BeEmpty();
    }

    [Fact]
    public void A_quota_systemd_cannot_keep_is_rounded_up_for_the_files_too()
    {
        var r = new Resources { Cpu = new() { Quota = 12345, Period = 100000 } };

        var props = SystemdProperties.For(r, 252, out var adjusted);

        props.Select(p => p.ToString()).Should().Contain("CPUQuotaPerSecUSec=130000");
        adjusted!.Cpu!.Quota.Should().Be(13000);
        r.Cpu.Quota.Should().Be(12345, "the caller's resources are not changed");
    }

    [Fact]
    public void Older_systemd_gets_only_what_it_knows()
    {
        var r = new Resources { Cpu = new() { Quota = 20000, Period = 50000, Cpus = "0-1", Idle = 1 }, Devices = new() { new() { Allow = true, Access = "rwm" } } };

        Props(r, 239).Should().Equal("CPUQuotaPerSecUSec=400000");
        Props(r, 252).Should().Equal("DeviceAllow=", "DevicePolicy=auto", "CPUWeight=0", "CPUQuotaPeriodUSec=50000",
            "CPUQuotaPerSecUSec=400000", "AllowedCPUs=03");
    }

    [Theory]
    [InlineData("0-2,5", "27")]
    [InlineData("9", "0002")]
    [InlineData(" 0 , 8-9 ,", "0103")]
    public void Cpu_lists_become_little_endian_masks(string list, string hex) =>
        Convert.ToHexStringLower(SystemdProperties.CpuMask(list, "f")).Should().Be(hex);

    [Theory]
    [InlineData("")]
    [InlineData("3-1")]
    [InlineData("a")]
    public void Bad_cpu_lists_are_refused(string list)
    {
        var act = () => SystemdProperties.CpuMask(list, "f");

        act.Should().Throw<RuntimeError>().WithMessage("f: *");
    }

    [Fact]
    public void Default_device_rules_become_a_strict_allow_list() =>
        Props(DefaultDeviceRules.Complete(null)).Should().Equal(
            "DeviceAllow=", "DevicePolicy=strict",
            "DeviceAllow=block-*:m char-*:m /dev/char/1:3:rwm /dev/char/1:5:rwm /dev/char/1:7:rwm /dev/char/1:8:rwm " +
            "/dev/char/1:9:rwm /dev/char/5:0:rwm /dev/char/5:2:rwm /dev/char/10:200:rwm char-136:rwm");

    [Fact]
    public void A_deny_list_is_strict_until_csruns_program_replaces_systemds() =>
        Props(new Resources { Devices = new() { new() { Allow = true, Access = "rwm" }, new() { Allow = false, Type = "b", Major = 8, Minor = 0, Access = "rwm" } } })
            .Should().Equal("DeviceAllow=", "DevicePolicy=strict");

    [Fact]
    public void Unified_keys_systemd_knows_become_properties() =>
        Props(new Resources
        {
            Unified = new()
            {
                ["memory.high"] = "1000000", ["memory.max"] = "max", ["pids.max"] = "0", ["cpu.max"] = "max 50000",
                ["cpu.weight"] = "7", ["io.weight"] = "100",
            },
        }).Should().Equal(
            "CPUQuotaPeriodUSec=50000", "CPUQuotaPerSecUSec=infinity", "CPUWeight=7", "MemoryHigh=1000000", "MemoryMax=infinity", "TasksMax=1");

    [Fact]
    public void Start_properties_put_the_process_in_a_delegated_scope()
    {
        var unit = SystemdUnit.Parse("c1", "machine.slice:test:c1");
        var r = new Resources { Unified = new() { ["memory.oom.group"] = "1" } };

        SystemdProperties.ForStart(unit, 4242, r, 253).Select(p => p.ToString()).Should().Equal(
            "Description=csrun container c1", "Slice=machine.slice", "Delegate=yes", "PIDs=4242", "MemoryAccounting=yes",
            "CPUAccounting=yes", "IOAccounting=yes", "TasksAccounting=yes", "DefaultDependencies=no", "OOMPolicy=kill");
        SystemdProperties.ForStart(unit, 1, r, 252).Select(p => p.Name).Should().NotContain("OOMPolicy");
    }

    [Fact]
    public void Without_systemd_the_driver_is_refused_before_anything_is_made()
    {
        if (Directory.Exists("/run/systemd/system")) return; // a systemd host: the VM test covers it

        var act = () => CgroupManager.ForContainer("c", null, systemd: true);

        act.Should().Throw<RuntimeError>().WithMessage("systemd not running on this host, cannot use systemd cgroups manager");
    }

    [Theory]
    [InlineData("252.22-1~deb12u1", 252)]
    [InlineData("\"v245.4-1.fc32\"", 245)]
    [InlineData("239", 239)]
    [InlineData("x", -1)]
    [InlineData(null, -1)]
    public void Systemd_versions(string? text, int version) => SystemdClient.ParseVersion(text).Should().Be(version);
}
