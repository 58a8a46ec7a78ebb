using CsRun.Spec;
using FluentAssertions;

namespace CsRun.Tests.Integration;

/// <summary>
/// linux.netDevices (config-linux.md "Network Devices"): the host interface is moved into the
/// container's network namespace, renamed, with its permanent global addresses, and up; it
/// leaves the host while the container lives and is not moved back at delete (the spec forbids
/// it: a virtual device dies with the namespace). runc 1.1.5 and crun 1.8 ignore the field.
/// </summary>
public class NetDeviceTests
{
    static Bundle WithIp(params string[] args)
    {
        var b = new Bundle(args);
        File.CreateSymbolicLink(Path.Combine(b.Rootfs, "bin", "ip"), "busybox");
        return b;
    }

    static string Octet() => Random.Shared.Next(1, 255).ToString();

    [VethFact]
    public void A_moved_device_is_inside_renamed_with_its_global_addresses_and_up_and_gone_from_the_host()
    {
        using var veth = new HostVeth();
        string v4 = $"10.{Octet()}.{Octet()}.5", v6 = $"fd00:{Random.Shared.Next(1, 0xffff):x}::5", local = $"169.254.{Octet()}.9";
        HostVeth.Ip("addr", "add", v4 + "/24", "dev", veth.Name).ExitCode.Should().Be(0);
        HostVeth.Ip("addr", "add", v6 + "/64", "dev", veth.Name, "nodad").ExitCode.Should().Be(0);
        // Scope link: the spec and runc keep only global addresses.
        HostVeth.Ip("addr", "add", local + "/16", "dev", veth.Name, "scope", "link").ExitCode.Should().Be(0);
        HostVeth.IsUp(veth.Name).Should().BeFalse();

        using var b = WithIp("sleep", "100");
        b.Config.Linux!.NetDevices = new() { [veth.Name] = new NetDevice { Name = "ctr9" } };
        var id = b.NewId("netdev");
        var r = b.Csrun("create", "-b", b.Dir, id);
        r.ExitCode.Should().Be(0, r.ToString());
        HostVeth.OnHost(veth.Name).Should().BeFalse("the device is in the container while it exists");
        HostVeth.OnHost(veth.Peer).Should().BeTrue();

        var inside = b.Csrun("exec", id, "sh", "-c", "ip -o addr show dev ctr9; cat /sys/class/net/ctr9/flags");
        inside.ExitCode.Should().Be(0, inside.ToString());
        inside.Stdout.Should().Contain($"inet {v4}/24").And.Contain($"inet6 {v6}/64").And.NotContain(local);
        string flags = inside.Stdout.Trim().Split('\n')[^1];
        (Convert.ToInt32(flags, 16) & 1).Should().Be(1, $"IFF_UP in {flags}");

        b.Csrun("delete", "-f", id).ExitCode.Should().Be(0);
        Leftovers.AssertNone(b, id);
        // Not moved back: the namespace's end goes with it, and a veth pair dies whole (in the
        // kernel's namespace cleanup, which runs after the last process is gone).
        LifecycleTests.WaitFor(() => !HostVeth.OnHost(veth.Peer));
        HostVeth.OnHost(veth.Name).Should().BeFalse();
    }

    [VethFact]
    public void A_device_moves_into_a_user_namespace_and_a_template_name_gets_the_first_free_number()
    {
        using var veth = new HostVeth();
        string v4 = $"10.{Octet()}.{Octet()}.6";
        HostVeth.Ip("addr", "add", v4 + "/24", "dev", veth.Name).ExitCode.Should().Be(0);
        using var b = WithIp("sh", "-c", "ip -o addr show dev ctr0 && cat /proc/self/uid_map");
        b.Config.Linux!.Namespaces!.Add(new Namespace { Type = "user" });
        b.Config.Linux.UidMappings = new() { new IdMapping { ContainerId = 0, HostId = 100000, Size = 65536 } };
        b.Config.Linux.GidMappings = new() { new IdMapping { ContainerId = 0, HostId = 100000, Size = 65536 } };
        b.Config.Linux.NetDevices = new() { [veth.Name] = new NetDevice { Name = "ctr%d" } };
        var r = b.Run();
        r.ExitCode.Should().Be(0, r.ToString());
        r.Stdout.Should().Contain($"inet {v4}/24").And.MatchRegex(@"0\s+100000\s+65536");
    }

    /// <summary>Joined by path, the namespace is its owner's: the device stays there after the
    /// container that moved it is gone, and goes with the namespace.</summary>
    [VethFact]
    public void A_device_moved_into_a_joined_network_namespace_stays_there_after_the_container()
    {
        using var veth = new HostVeth();
        using var owner = WithIp("sleep", "100");
        var ownerId = owner.NewId("netns");
        owner.Csrun("create", "-b", owner.Dir, ownerId).ExitCode.Should().Be(0);
        int pid = System.Text.Json.JsonDocument.Parse(owner.Csrun("state", ownerId).Stdout).RootElement.GetProperty("pid").GetInt32();

        using var b = WithIp("cat", "/sys/class/net/j0/ifindex");
        b.Config.Linux!.Namespaces!.RemoveAll(n => n.Type == "network");
        b.Config.Linux.Namespaces.Add(new Namespace { Type = "network", Path = $"/proc/{pid}/ns/net" });
        b.Config.Linux.NetDevices = new() { [veth.Name] = new NetDevice { Name = "j0" } };
        var r = b.Run();
        r.ExitCode.Should().Be(0, r.ToString());
        HostVeth.OnHost(veth.Name).Should().BeFalse();

        var still = owner.Csrun("exec", ownerId, "cat", "/sys/class/net/j0/ifindex");
        still.ExitCode.Should().Be(0, still.ToString());
        still.Stdout.Trim().Should().Be(r.Stdout.Trim());
        owner.Csrun("delete", "-f", ownerId).ExitCode.Should().Be(0);
        LifecycleTests.WaitFor(() => !HostVeth.OnHost(veth.Peer));
    }

    [VethFact]
    public void A_missing_device_fails_the_create_before_any_device_moves()
    {
        using var veth = new HostVeth();
        string v4 = $"10.{Octet()}.{Octet()}.7";
        HostVeth.Ip("addr", "add", v4 + "/24", "dev", veth.Name).ExitCode.Should().Be(0);
        string missing = "csm" + Guid.NewGuid().ToString("N")[..8];
        using var b = WithIp("true");
        b.Config.Linux!.NetDevices = new() { [veth.Name] = new NetDevice(), [missing] = new NetDevice() };
        var id = b.NewId("netdev");
        var r = b.Csrun("create", "-b", b.Dir, id);
        r.ExitCode.Should().Be(1, r.ToString());
        r.Stderr.Trim().Should().EndWith($"linux.netDevices.{missing}: RTM_GETLINK {missing} in the runtime's network namespace: no such device");
        Leftovers.AssertNone(b, id);
        HostVeth.OnHost(veth.Name).Should().BeTrue("no device moves before all are found");
        HostVeth.Ip("-o", "addr", "show", "dev", veth.Name).Stdout.Should().Contain($"inet {v4}/24");
    }

    [VethFact]
    public void A_name_taken_in_the_container_is_an_error_and_the_device_stays_as_it_was()
    {
        using var veth = new HostVeth();
        string v4 = $"10.{Octet()}.{Octet()}.8";
        HostVeth.Ip("addr", "add", v4 + "/24", "dev", veth.Name).ExitCode.Should().Be(0);
        HostVeth.Ip("link", "set", veth.Name, "up").ExitCode.Should().Be(0);
        using var b = WithIp("true");
        b.Config.Linux!.NetDevices = new() { [veth.Name] = new NetDevice { Name = "lo" } };
        var id = b.NewId("netdev");
        var r = b.Csrun("create", "-b", b.Dir, id);
        r.ExitCode.Should().Be(1, r.ToString());
        r.Stderr.Trim().Should().EndWith($"linux.netDevices.{veth.Name}: lo in the container's network namespace: file exists");
        Leftovers.AssertNone(b, id);
        HostVeth.OnHost(veth.Name).Should().BeTrue();
        HostVeth.IsUp(veth.Name).Should().BeTrue("the device was not touched");
        HostVeth.Ip("-o", "addr", "show", "dev", veth.Name).Stdout.Should().Contain($"inet {v4}/24");
    }

    [VethFact]
    public void Without_a_network_namespace_it_is_an_error()
    {
        using var veth = new HostVeth();
        using var b = WithIp("true");
        b.Config.Linux!.Namespaces!.RemoveAll(n => n.Type == "network");
        b.Config.Linux.NetDevices = new() { [veth.Name] = new NetDevice() };
        var id = b.NewId("netdev");
        var r = b.Csrun("create", "-b", b.Dir, id);
        r.ExitCode.Should().Be(1, r.ToString());
        r.Stderr.Trim().Should().EndWith("linux.netDevices: requires a network namespace (linux.namespaces has no \"network\")");
        Leftovers.AssertNone(b, id);
        HostVeth.OnHost(veth.Name).Should().BeTrue();
    }
}

public class NetDeviceFeaturesTests
{
    [Xunit.Fact]
    public void Features_enables_netDevices()
    {
        var r = CsrunCli.Run(new[] { "features" });
        r.ExitCode.Should().Be(0, r.ToString());
        System.Text.Json.JsonDocument.Parse(r.Stdout).RootElement.GetProperty("linux").GetProperty("netDevices")
            .GetProperty("enabled").GetBoolean().Should().BeTrue();
    }
}
