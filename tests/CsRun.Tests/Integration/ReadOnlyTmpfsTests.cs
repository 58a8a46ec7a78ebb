using CsRun.Spec;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Integration;

/// <summary>
/// A read-only /dev or tmpfs in the config: what goes under it (device nodes, /dev/pts, a
/// nested mount's directory) is made first, the mount turned read-only last, as runc 1.1.5's
/// finalizeRootfs does. Same bundles under runc 1.1.5: the same listing and mount flags.
/// </summary>
public class ReadOnlyTmpfsTests
{
    static MountEntry MountAt(Bundle b, string destination) => b.Config.Mounts!.Single(m => m.Destination == destination);

    [Fact]
    public void A_read_only_dev_tmpfs_gets_its_devices_and_submounts_first()
    {
        using var b = new Bundle();
        MountAt(b, "/dev").Options!.Add("ro");
        var r = RootfsTests.RunSh(b, "ls /dev | tr '\\n' ' '; echo; touch /dev/x 2>&1; awk '$5 == \"/dev\" {print $6}' /proc/self/mountinfo; " +
            "echo hi > /dev/null && echo null-ok; readlink /dev/ptmx; awk '$5 == \"/dev/shm\" {print $6}' /proc/self/mountinfo");
        r.ExitCode.Should().Be(0, r.ToString());
        r.Stdout.Should().Be(
            "fd full mqueue null ptmx pts random shm stderr stdin stdout tty urandom zero \n" +
            "touch: /dev/x: Read-only file system\n" +
            "ro,nosuid\n" +
            "null-ok\npts/ptmx\n" +
            "rw,nosuid,nodev,noexec,relatime\n", "the submounts keep their own flags");
    }

    [Fact]
    public void A_read_only_tmpfs_can_hold_a_nested_mount()
    {
        using var b = new Bundle();
        var mounts = b.Config.Mounts!;
        mounts.Add(new MountEntry { Destination = "/run", Type = "tmpfs", Source = "tmpfs", Options = new() { "nosuid", "nodev", "ro" } });
        mounts.Add(new MountEntry { Destination = "/run/secrets/app", Type = "tmpfs", Source = "tmpfs", Options = new() { "size=64k" } });
        var r = RootfsTests.RunSh(b, "touch /run/secrets/app/token && echo nested-rw; touch /run/x 2>&1; awk '$5 == \"/run\" {print $6}' /proc/self/mountinfo");
        r.ExitCode.Should().Be(0, r.ToString());
        r.Stdout.Should().Be("nested-rw\ntouch: /run/x: Read-only file system\nro,nosuid,nodev,relatime\n");
    }
}
