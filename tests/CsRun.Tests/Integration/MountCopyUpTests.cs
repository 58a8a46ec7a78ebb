using CsRun.Spec;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Integration;

/// <summary>Mount option tmpcopyup: the new tmpfs starts with what the directory held in the image.</summary>
public class MountCopyUpTests
{
    [Fact]
    public void Tmpcopyup_copies_the_directory_into_the_tmpfs_with_modes_owners_and_links()
    {
        using var b = new Bundle("sh", "-c",
            "cd /etc/cu && stat -c '%n %a %u:%g' a sub sub/deep sub/deep/f && cat a sub/deep/f && readlink link && readlink sub/esc && "
            + "stat -c %Y a && echo new > fresh && mount | grep ' /etc/cu ' | cut -d' ' -f5 && ls -A /nowhere | wc -l");
        string dir = Path.Combine(b.Rootfs, "etc", "cu");
        Directory.CreateDirectory(Path.Combine(dir, "sub", "deep"));
        File.WriteAllText(Path.Combine(dir, "a"), "one\n");
        File.WriteAllText(Path.Combine(dir, "sub", "deep", "f"), "deep\n");
        File.CreateSymbolicLink(Path.Combine(dir, "link"), "/etc/passwd");
        File.CreateSymbolicLink(Path.Combine(dir, "sub", "esc"), "../../../../../../etc/shadow");
        // Owners first: a chown clears the set-uid bit.
        Chown(Path.Combine(dir, "a"), 7, 8);
        Chown(Path.Combine(dir, "sub", "deep"), 5, 6);
        File.SetUnixFileMode(Path.Combine(dir, "a"), (UnixFileMode)Convert.ToInt32("4755", 8));
        File.SetUnixFileMode(Path.Combine(dir, "sub"), (UnixFileMode)Convert.ToInt32("1777", 8));
        File.SetLastWriteTimeUtc(Path.Combine(dir, "a"), new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        b.Config.Mounts!.Add(new MountEntry { Destination = "/etc/cu", Type = "tmpfs", Source = "tmpfs", Options = new() { "tmpcopyup", "nosuid" } });
        // A directory the image lacks is made, and the tmpfs on it starts empty.
        b.Config.Mounts.Add(new MountEntry { Destination = "/nowhere", Type = "tmpfs", Source = "tmpfs", Options = new() { "tmpcopyup" } });
        var r = b.Run();
        r.ExitCode.Should().Be(0, r.ToString());
        r.Stdout.Should().Be(
            "a 4755 7:8\nsub 1777 0:0\nsub/deep 755 5:6\nsub/deep/f 644 0:0\none\ndeep\n/etc/passwd\n../../../../../../etc/shadow\n978307200\ntmpfs\n0\n");
        // The image is untouched: the container wrote into the tmpfs.
        File.Exists(Path.Combine(dir, "fresh")).Should().BeFalse();
    }

    [Fact]
    public void A_read_only_tmpcopyup_is_filled_then_made_read_only()
    {
        using var b = new Bundle("sh", "-c", "cat /etc/ro/f; touch /etc/ro/g 2>/dev/null && echo writable; mount | grep ' /etc/ro ' | grep -c '(ro,'");
        Directory.CreateDirectory(Path.Combine(b.Rootfs, "etc", "ro"));
        File.WriteAllText(Path.Combine(b.Rootfs, "etc", "ro", "f"), "kept\n");
        b.Config.Mounts!.Add(new MountEntry { Destination = "/etc/ro", Type = "tmpfs", Source = "tmpfs", Options = new() { "tmpcopyup", "ro", "nodev" } });
        var r = b.Run();
        r.ExitCode.Should().Be(0, r.ToString());
        r.Stdout.Should().Be("kept\n1\n");
    }

    [Fact]
    public void Tmpcopyup_on_a_bind_mount_is_refused()
    {
        using var b = new Bundle("true");
        b.Config.Mounts!.Add(new MountEntry { Destination = "/data", Type = "bind", Source = b.Rootfs, Options = new() { "rbind", "tmpcopyup" } });
        int index = b.Config.Mounts.Count - 1;
        var r = b.Run();
        r.ExitCode.Should().Be(1, r.ToString());
        r.Stderr.Should().Contain($"mounts[{index}].options: tmpcopyup applies only to a tmpfs mount");
    }

    static void Chown(string path, int uid, int gid)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("chown", new[] { "-h", $"{uid}:{gid}", path });
        using var p = System.Diagnostics.Process.Start(psi)!;
        p.WaitForExit();
        p.ExitCode.Should().Be(0);
    }
}
