using CsRun.Spec;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Integration;

/// <summary>The container's file system: pivot_root, mounts, devices, masked and read-only paths.</summary>
public class RootfsTests
{
    internal static CliResult RunSh(Bundle b, string script)
    {
        b.Config.Process!.Args = new() { "sh", "-c", script };
        return b.Run();
    }

    [Fact]
    public void Root_is_read_only_when_asked_and_the_host_is_unreachable()
    {
        using var b = new Bundle();
        var r = RunSh(b, "touch /x 2>&1; ls /work 2>&1; cat /proc/self/mountinfo | head -1");
        r.Stdout.Should().Contain("Read-only file system");
        r.Stdout.Should().Contain("No such file or directory");
        var root = r.Stdout.Split('\n')[2].Split(' ');
        root[4].Should().Be("/", "the first mount is the container's root");
        root[5].Should().StartWith("ro,");
    }

    [Fact]
    public void Masked_paths_are_hidden_and_readonly_paths_are_read_only()
    {
        using var b = new Bundle();
        var r = RunSh(b, "wc -c < /proc/keys; ls /sys/firmware | wc -l; echo 1 > /proc/sys/kernel/domainname 2>&1 || echo denied");
        r.Stdout.Should().Be("0\n0\ndenied\n", r.ToString());
    }

    [Fact]
    public void Default_devices_and_dev_links_exist()
    {
        using var b = new Bundle();
        var r = RunSh(b, "for d in null zero full random urandom tty; do stat -c '%n %t:%T %a' /dev/$d; done; for l in fd stdin ptmx; do readlink /dev/$l; done");
        r.Stdout.Should().Be(
            "/dev/null 1:3 666\n/dev/zero 1:5 666\n/dev/full 1:7 666\n/dev/random 1:8 666\n/dev/urandom 1:9 666\n/dev/tty 5:0 666\n" +
            "/proc/self/fd\n/proc/self/fd/0\npts/ptmx\n", r.ToString());
    }

    [Fact]
    public void Configured_devices_are_created_with_mode_and_owner()
    {
        using var b = new Bundle();
        b.Config.Linux!.Devices = new() { new() { Type = "c", Path = "/dev/mynull", Major = 1, Minor = 3, FileMode = 0x1a0, Uid = 1000, Gid = 1001 } };
        var r = RunSh(b, "stat -c '%t:%T %a %u %g' /dev/mynull");
        r.Stdout.Should().Be("1:3 640 1000 1001\n", r.ToString());
    }

    [Fact]
    public void Bind_mounts_with_options_and_relative_sources()
    {
        using var b = new Bundle();
        Directory.CreateDirectory(Path.Combine(b.Dir, "data"));
        File.WriteAllText(Path.Combine(b.Dir, "data", "f"), "payload");
        b.Config.Mounts!.Add(new MountEntry { Destination = "/data/in/deep", Type = "bind", Source = "data", Options = new() { "rbind", "ro", "nosuid" } });
        var r = RunSh(b, "cat /data/in/deep/f; touch /data/in/deep/g 2>&1 | grep -c Read-only; grep ' /data/in/deep ' /proc/self/mountinfo");
        r.Stdout.Should().StartWith("payload1\n", r.ToString());
        r.Stdout.Should().Contain("ro,nosuid");
    }

    [Fact]
    public void A_symlink_in_the_rootfs_cannot_lead_a_mount_out_of_it()
    {
        using var b = new Bundle();
        string outside = Path.Combine(b.Dir, "outside");
        Directory.CreateDirectory(outside);
        File.CreateSymbolicLink(Path.Combine(b.Rootfs, "escape"), outside);
        // The same absolute path inside the rootfs: where the link must lead when resolved in the root.
        Directory.CreateDirectory(Path.Combine(b.Rootfs, outside.TrimStart('/')));
        b.Config.Mounts!.Add(new MountEntry { Destination = "/escape/sub", Type = "tmpfs", Source = "tmpfs" });
        var r = RunSh(b, "true");
        r.ExitCode.Should().Be(0, r.ToString());
        // The link was resolved inside the rootfs, so nothing was created next to the bundle.
        Directory.GetFileSystemEntries(outside).Should().BeEmpty();
        Directory.Exists(Path.Combine(b.Rootfs, outside.TrimStart('/'), "sub")).Should().BeTrue();
    }

    [Fact]
    public void Proc_on_a_symlink_is_refused()
    {
        using var b = new Bundle();
        Directory.Delete(Path.Combine(b.Rootfs, "proc"));
        File.CreateSymbolicLink(Path.Combine(b.Rootfs, "proc"), "/etc");
        var id = b.NewId();
        var r = b.Csrun("run", "-b", b.Dir, id);
        r.ExitCode.Should().Be(1);
        r.Stderr.Should().Contain("mounts[0]").And.Contain("/proc").And.Contain("symlink");
        Leftovers.AssertNone(b, id);
    }

    [Fact]
    public void No_pivot_uses_move_and_chroot()
    {
        using var b = new Bundle();
        b.Config.Process!.Args = new() { "sh", "-c", "ls / | wc -l" };
        var r = b.Csrun("run", "--no-pivot", "-b", b.Dir, b.NewId());
        r.ExitCode.Should().Be(0, r.ToString());
    }

    [Theory]
    [InlineData("shared", "shared:")]
    [InlineData("private", null)]
    public void RootfsPropagation_applies_to_the_containers_root(string propagation, string? tag)
    {
        using var b = new Bundle();
        b.Config.Linux!.RootfsPropagation = propagation;
        var r = RunSh(b, "awk '$5 == \"/\"' /proc/self/mountinfo");
        r.ExitCode.Should().Be(0, r.ToString());
        if (tag != null) r.Stdout.Should().Contain(tag);
        else r.Stdout.Should().NotContain("shared:").And.NotContain("master:");
    }

    [Fact]
    public void Recursive_read_only_bind_makes_submounts_read_only_too()
    {
        using var b = new Bundle();
        b.Config.Mounts!.Add(new MountEntry { Destination = "/hostdev", Type = "bind", Source = "/dev", Options = new() { "rbind", "rro" } });
        var r = RunSh(b, "grep ' /hostdev/shm ' /proc/self/mountinfo");
        r.ExitCode.Should().Be(0, r.ToString());
        r.Stdout.Split(' ')[5].Should().StartWith("ro", "rro reaches the submount /dev/shm as well");
    }
}
