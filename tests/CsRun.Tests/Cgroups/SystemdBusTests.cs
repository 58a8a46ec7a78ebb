using CsRun.Cgroups;
using CsRun.Cgroups.Systemd;
using CsRun.Errors;
using CsRun.Spec;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Cgroups;

/// <summary>
/// csrun's D-Bus client against a real dbus-daemon with a fake systemd on it (this host has no
/// systemd; the VM test runs the real one): authentication, calls, the JobRemoved wait, error
/// replies, and dbus-monitor's own decoding of what csrun sent.
/// </summary>
[Collection(nameof(SystemdBusTests))]
public class SystemdBusTests
{
    static SystemdClient Client(FakeSystemdBus bus)
    {
        var conn = DBusConnection.Connect(bus.Socket);
        conn.AddMatch("type='signal',sender='org.freedesktop.systemd1',interface='org.freedesktop.systemd1.Manager',member='JobRemoved'");
        return new SystemdClient(conn) { Timeout = TimeSpan.FromSeconds(10) };
    }

    [Fact]
    public void Start_waits_for_the_job_and_the_bus_accepts_the_encoding()
    {
        using var bus = new FakeSystemdBus();
        using var client = Client(bus);
        var unit = SystemdUnit.Parse("c1", "machine.slice:test:c1");
        var r = new Resources { Memory = new() { Limit = 1 << 20 }, Cpu = new() { Cpus = "0-1" }, Devices = DefaultDeviceRules.Complete(null).Devices };
        var props = SystemdProperties.ForStart(unit, 4242, r, client.Version);
        props.AddRange(SystemdProperties.For(r, client.Version, out _));
        string result = "";

        string seen = bus.Monitor(() => result = client.WaitForJob(client.StartTransientUnit(unit.UnitName, props)), "member=JobRemoved");

        client.Version.Should().Be(252);
        result.Should().Be("done");
        bus.Members.Should().Equal("Get", "StartTransientUnit");
        // dbus-monitor decodes the message itself: an independent check of the marshalling.
        seen.Should().Contain("member=StartTransientUnit")
            .And.Contain("string \"test-c1.scope\"")
            .And.Contain("string \"replace\"")
            .And.Contain("string \"PIDs\"")
            .And.Contain("uint32 4242")
            .And.Contain("string \"MemoryMax\"")
            .And.Contain("uint64 1048576")
            .And.Contain("string \"Delegate\"")
            .And.Contain("boolean true")
            .And.Contain("string \"/dev/char/10:200\"")
            .And.Contain("string \"AllowedCPUs\"")
            .And.Contain("array of bytes [")
            .And.Contain("member=JobRemoved");
    }

    [Fact]
    public void Error_replies_carry_their_name_and_text()
    {
        using var bus = new FakeSystemdBus();
        using var client = Client(bus);

        var act = () => client.StopUnit("nothere.scope");

        act.Should().Throw<DBusErrorReply>().Which.Name.Should().Be(SystemdClient.NoSuchUnit);
        act.Should().Throw<DBusErrorReply>().WithMessage("org.freedesktop.systemd1.NoSuchUnit: Unit nothere.scope not loaded.");
    }

    /// <summary>
    /// The manager end to end on this host's cgroup2 mount: the fake systemd makes the scope's
    /// directory and moves the process, as systemd would; csrun then writes the files and
    /// attaches its device program; delete stops the unit.
    /// </summary>
    [Fact]
    public void The_manager_starts_the_scope_applies_resources_and_stops_it() => V2OnHybridTests.InV2Cgroup(cg =>
    {
        string mount = Path.GetDirectoryName(cg.Dir(CgroupLayout.Unified))!;
        using var bus = new FakeSystemdBus { CgroupDirOf = unit => $"{mount}/{unit}", UnitExistsOnce = true };
        Environment.SetEnvironmentVariable("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=" + bus.Socket);
        try
        {
            var manager = new SystemdManager(SystemdUnit.Parse("c2", "-.slice:csrun-test:c2"), mount);
            string dir = manager.Paths[CgroupLayout.Unified];
            dir.Should().Be($"{mount}/csrun-test-c2.scope");
            var resources = new Resources
            {
                Devices = new() { new() { Allow = false, Access = "rwm" }, new() { Allow = true, Type = "c", Major = 1, Minor = 3, Access = "rwm" } },
                Unified = new() { ["cgroup.max.descendants"] = "3" },
            };
            var p = cg.Sleep();

            manager.Create(resources);
            manager.Apply(resources);
            bus.Members.Should().BeEmpty("nothing is started before the process exists");
            manager.AddProcess(p.Id);

            bus.Members.Should().Equal("Get", "StartTransientUnit", "ResetFailedUnit", "StartTransientUnit");
            manager.Pids().Should().Equal(p.Id);
            File.ReadAllText($"{dir}/cgroup.max.descendants").Trim().Should().Be("3");
            Bpf(dir).Should().Be(1);

            var reloaded = CgroupManager.FromPaths(manager.Paths, systemd: true);
            reloaded.Should().BeOfType<SystemdManager>().Which.UnitName.Should().Be("csrun-test-c2.scope");
            reloaded.Destroy();

            p.WaitForExit(5000).Should().BeTrue("destroy kills what is left before stopping the unit");
            bus.Members.Should().EndWith(new[] { "StopUnit", "ResetFailedUnit" });
            Directory.Exists(dir).Should().BeFalse();
        }
        finally
        {
            Environment.SetEnvironmentVariable("DBUS_SYSTEM_BUS_ADDRESS", null);
        }
    });

    [Fact]
    public void A_failed_start_job_is_an_error_and_the_unit_is_reset()
    {
        using var bus = new FakeSystemdBus { StartResult = "failed" };
        Environment.SetEnvironmentVariable("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=" + bus.Socket);
        try
        {
            var manager = new SystemdManager(SystemdUnit.Parse("c3", null), "/sys/fs/cgroup/unified");
            manager.Create(null);

            var act = () => manager.AddProcess(1);

            act.Should().Throw<RuntimeError>().WithMessage("error creating systemd unit `csrun-c3.scope`: got `failed`");
            bus.Members.Should().Equal("Get", "StartTransientUnit", "ResetFailedUnit");
            manager.Destroy();
            bus.Members.Should().HaveCount(3, "a unit that never started is not csrun's to stop");
        }
        finally
        {
            Environment.SetEnvironmentVariable("DBUS_SYSTEM_BUS_ADDRESS", null);
        }
    }

    static int Bpf(string dir)
    {
        int fd = CsRun.Linux.Files.Open(dir, CsRun.Linux.O.Directory | CsRun.Linux.O.RdOnly, "test");
        try
        {
            CsRun.Linux.Bpf.Query(fd, CsRun.Linux.Bpf.AttachCgroupDevice, out uint[] ids).Should().Be(0);
            return ids.Length;
        }
        finally { CsRun.Linux.Files.Close(fd); }
    }
}
