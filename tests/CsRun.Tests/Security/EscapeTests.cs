using CsRun.Spec;
using CsRun.Tests.Integration;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Security;

/// <summary>Runtime CVE classes reproduced against csrun: each attack must fail and leave the host untouched.</summary>
public class EscapeTests
{
    /// <summary>CVE-2024-21626: a cwd through a leaked fd must never land outside the container.</summary>
    [Fact]
    public void A_cwd_through_proc_self_fd_never_reaches_a_host_directory()
    {
        for (int fd = 3; fd <= 12; fd++)
        {
            using var b = new Bundle("sh", "-c", "pwd");
            b.Config.Process!.Cwd = $"/proc/self/fd/{fd}";
            var r = b.Run();
            if (r.ExitCode == 0)
                r.Stdout.Should().NotContain("unreachable").And.NotContain(b.Dir, $"fd {fd} must not lead to the host");
            else
                r.Stderr.Should().Contain("process.cwd", $"fd {fd}");
        }
    }

    /// <summary>CVE-2016-9962: nothing of csrun's is open in the container but stdio.</summary>
    [Fact]
    public void Only_stdio_and_preserved_fds_reach_the_container()
    {
        // Anything beyond 0, 1, 2 may only be the directory ls itself opened to list /proc/self/fd.
        using var b = new Bundle("sh", "-c", "ls -l /proc/self/fd | grep -- '->' | grep -v -E ' [012] -> ' | grep -v ' -> /proc/' | wc -l");
        var r = b.Run();
        r.ExitCode.Should().Be(0, r.ToString());
        r.Stdout.Trim().Should().Be("0", r.ToString());
    }

    /// <summary>CVE-2025-31133, CVE-2025-52565: device nodes replaced by symlinks in the image are refused, not followed.</summary>
    [Theory]
    [InlineData("null")]
    [InlineData("tty")]
    public void A_symlinked_device_node_in_the_image_is_refused(string node)
    {
        using var b = new Bundle("true");
        b.Config.Mounts!.RemoveAll(m => m.Destination == "/dev" || m.Destination.StartsWith("/dev/"));
        string victim = Path.Combine(b.Dir, "host-file");
        File.WriteAllText(victim, "host data");
        File.CreateSymbolicLink(Path.Combine(b.Rootfs, "dev", node), victim);
        var id = b.NewId();
        var r = b.Csrun("run", "-b", b.Dir, id);
        r.ExitCode.Should().Be(1, r.ToString());
        r.Stderr.Should().Contain($"/dev/{node}");
        File.ReadAllText(victim).Should().Be("host data");
        File.ReadAllText("/proc/self/mountinfo").Should().NotContain(victim);
        Leftovers.AssertNone(b, id);
    }

    /// <summary>CVE-2019-16884 class: writes meant for procfs go only to files on procfs.</summary>
    [Fact]
    public void A_sysctl_aimed_at_a_non_proc_file_is_refused()
    {
        using var b = new Bundle("true");
        // A tmpfs over /proc/sys makes the sysctl path an ordinary file the image controls.
        b.Config.Mounts!.Add(new MountEntry { Destination = "/proc/sys", Type = "tmpfs", Source = "tmpfs" });
        b.Config.Linux!.ReadonlyPaths!.Remove("/proc/sys");
        b.Config.Process!.Args = new() { "true" };
        b.Config.Hooks = new()
        {
            CreateContainer = new() { new() { Path = "/bin/sh", Args = new() { "sh", "-c", $"mkdir -p {b.Rootfs}/proc/sys/kernel && touch {b.Rootfs}/proc/sys/kernel/shmmax" } } },
        };
        b.Config.Linux.Sysctl = new() { ["kernel.shmmax"] = "1234" };
        var id = b.NewId();
        var r = b.Csrun("run", "-b", b.Dir, id);
        r.ExitCode.Should().Be(1, r.ToString());
        r.Stderr.Should().Contain("not on procfs");
        Leftovers.AssertNone(b, id);
    }

    /// <summary>CVE-2026-41579 class: the image's /dev itself is a symlink.</summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void An_image_whose_dev_is_a_symlink_is_refused(bool devIsMounted)
    {
        using var b = new Bundle("true");
        if (!devIsMounted) b.Config.Mounts!.RemoveAll(m => m.Destination == "/dev" || m.Destination.StartsWith("/dev/"));
        Directory.Delete(Path.Combine(b.Rootfs, "dev"));
        File.CreateSymbolicLink(Path.Combine(b.Rootfs, "dev"), "/etc");
        var id = b.NewId();
        var r = b.Csrun("run", "-b", b.Dir, id);
        r.ExitCode.Should().Be(1, r.ToString());
        r.Stderr.Should().Contain("refusing a symlink");
        Directory.GetFileSystemEntries(Path.Combine(b.Rootfs, "etc")).Should().NotContain(e => e.EndsWith("null"), "no device node may land where the link points");
        Leftovers.AssertNone(b, id);
    }

    /// <summary>CVE-2025-52565: /dev/console in the image is a symlink; binding the terminal there must not follow it.</summary>
    [Fact]
    public void A_symlinked_dev_console_is_refused_when_a_terminal_is_bound_there()
    {
        using var b = new Bundle("true");
        b.Config.Process!.Terminal = true;
        b.Config.Mounts!.RemoveAll(m => m.Destination == "/dev");
        string victim = Path.Combine(b.Dir, "host-console");
        File.WriteAllText(victim, "host data");
        File.CreateSymbolicLink(Path.Combine(b.Rootfs, "dev", "console"), victim);
        var id = b.NewId();
        var r = b.Csrun("run", "-b", b.Dir, id);
        r.ExitCode.Should().Be(1, r.ToString());
        r.Stderr.Should().Contain("process.terminal").And.Contain("symbolic link", "the link is refused, not followed");
        File.ReadAllText(victim).Should().Be("host data");
        Leftovers.AssertNone(b, id);
    }
}
