using CsRun.Tests.Integration;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Security;

/// <summary>
/// --no-pivot moves the rootfs over / and chroots: the host's mounts stay in the container's mount
/// namespace under it. A full host /proc among them lets a process in a nested user namespace
/// mount a fresh proc (the kernel's mnt_too_revealing only asks that one fully visible procfs
/// exist in the namespace) and read every masked path. runc's msMoveRoot detaches them first.
/// </summary>
public class NoPivotTests
{
    [Fact]
    public void A_nested_user_namespace_cannot_mount_an_unmasked_proc()
    {
        using var b = new Bundle();
        File.CreateSymbolicLink(Path.Combine(b.Rootfs, "bin", "unshare"), "busybox");
        // /proc/timer_list is masked (0 bytes); a fresh proc would show the host's timers.
        b.Config.Process!.Args = new() { "sh", "-c",
            "wc -c < /proc/timer_list; unshare -Umpf --mount-proc sh -c 'wc -c < /proc/timer_list' 2>&1; echo rc=$?" };
        var id = b.NewId();
        var r = b.Csrun("run", "--no-pivot", "-b", b.Dir, id);
        r.ExitCode.Should().Be(0, r.ToString());
        var lines = r.Stdout.Split('\n');
        lines[0].Should().Be("0", "the container's own /proc/timer_list is masked");
        r.Stdout.Should().Contain("can't mount proc").And.Contain("Operation not permitted").And.EndWith("rc=1\n", r.ToString());
        Leftovers.AssertNone(b, id);
    }

    [Fact]
    public void A_container_with_its_own_user_namespace_cannot_either()
    {
        using var b = new Bundle();
        File.CreateSymbolicLink(Path.Combine(b.Rootfs, "bin", "unshare"), "busybox");
        // In a user namespace the host's mounts are locked: they cannot be detached, only covered.
        b.Config.Linux!.Namespaces!.Add(new() { Type = "user" });
        b.Config.Linux.UidMappings = new() { new() { ContainerId = 0, HostId = 100000, Size = 65536 } };
        b.Config.Linux.GidMappings = new() { new() { ContainerId = 0, HostId = 100000, Size = 65536 } };
        b.Config.Mounts!.RemoveAll(m => m.Type == "cgroup");
        b.Config.Process!.Args = new() { "sh", "-c", "unshare -Umpf --mount-proc sh -c 'wc -c < /proc/timer_list' 2>&1; echo rc=$?" };
        var id = b.NewId();
        var r = b.Csrun("run", "--no-pivot", "-b", b.Dir, id);
        r.ExitCode.Should().Be(0, r.ToString());
        r.Stdout.Should().Contain("can't mount proc").And.EndWith("rc=1\n", r.ToString());
        Leftovers.AssertNone(b, id);
    }
}
