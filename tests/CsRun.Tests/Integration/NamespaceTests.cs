using System.Text.Json;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Integration;

/// <summary>User namespaces with id maps, time namespaces, and joining namespaces by path.</summary>
public class NamespaceTests
{
    [Fact]
    public void User_namespace_maps_root_to_an_unprivileged_host_uid()
    {
        using var b = new Bundle("sh", "-c", "id -u; cat /proc/self/uid_map /proc/self/gid_map; echo > /tmp/x && stat -c '%u' /tmp/x");
        b.Config.Linux!.Namespaces!.Add(new() { Type = "user" });
        b.Config.Linux.UidMappings = new() { new() { ContainerId = 0, HostId = 200000, Size = 65536 } };
        b.Config.Linux.GidMappings = new() { new() { ContainerId = 0, HostId = 200000, Size = 65536 } };
        b.Config.Root!.Readonly = false;
        // The mapped root must be able to use the rootfs: give it to host uid 200000.
        Chown(b.Rootfs, 200000);
        // cgroup v1 mounts need the real root in a user namespace; keep this test about ids.
        b.Config.Mounts!.RemoveAll(m => m.Type == "cgroup" || m.Destination == "/sys");
        b.Config.Linux.Namespaces.RemoveAll(n => n.Type == "cgroup");
        var r = b.Run();
        r.ExitCode.Should().Be(0, r.ToString());
        var lines = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => string.Join(" ", l.Split(' ', StringSplitOptions.RemoveEmptyEntries))).ToList();
        lines.Should().Equal("0", "0 200000 65536", "0 200000 65536", "0");
        File.ReadAllText(Path.Combine(b.Rootfs, "tmp/x"));
        new FileInfo(Path.Combine(b.Rootfs, "tmp/x")).Exists.Should().BeTrue();
    }

    [Fact]
    public void Time_namespace_offsets_shift_the_monotonic_clock()
    {
        using var b = new Bundle("cat", "/proc/uptime");
        b.Config.Linux!.Namespaces!.Add(new() { Type = "time" });
        b.Config.Linux.TimeOffsets = new() { ["boottime"] = new() { Secs = 86400 * 365 } };
        var r = b.Run();
        r.ExitCode.Should().Be(0, r.ToString());
        double inside = double.Parse(r.Stdout.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        double host = double.Parse(File.ReadAllText("/proc/uptime").Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        (inside - host).Should().BeApproximately(86400 * 365, 60);
    }

    [Fact]
    public void A_second_container_joins_the_first_ones_namespaces_by_path()
    {
        using var b1 = new Bundle("sleep", "100");
        b1.Config.Hostname = "shared-uts";
        var first = b1.NewId();
        b1.Csrun("run", "-d", "-b", b1.Dir, first).ExitCode.Should().Be(0);
        int pid = JsonDocument.Parse(b1.Csrun("state", first).Stdout).RootElement.GetProperty("pid").GetInt32();

        using var b2 = new Bundle("sh", "-c", "hostname; readlink /proc/self/ns/net; readlink /proc/self/ns/uts; echo $$");
        b2.Config.Hostname = null;
        foreach (var type in new[] { "network", "uts", "pid" })
        {
            var ns = b2.Config.Linux!.Namespaces!.First(n => n.Type == type);
            ns.Path = $"/proc/{pid}/ns/{(type == "network" ? "net" : type)}";
        }
        var r = b2.Run();
        r.ExitCode.Should().Be(0, r.ToString());
        var lines = r.Stdout.Split('\n');
        lines[0].Should().Be("shared-uts");
        lines[1].Should().Be(new FileInfo($"/proc/{pid}/ns/net").LinkTarget);
        lines[2].Should().Be(new FileInfo($"/proc/{pid}/ns/uts").LinkTarget);
        lines[3].Should().NotBe("1", "the second container's init is not pid 1 of the joined pid namespace");
    }

    static void Chown(string dir, int uid)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("chown", new[] { "-R", $"{uid}:{uid}", dir });
        using var p = System.Diagnostics.Process.Start(psi)!;
        p.WaitForExit();
    }
}
