using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Integration;

/// <summary>Mount behaviours where csrun follows what runc 1.1.5 does on the same bundle.</summary>
public class MountParityTests
{
    static CliResult RunSh(Bundle b, string script) => RootfsTests.RunSh(b, script);

    /// <summary>Options of the mount at <paramref name="mountPoint"/> in a mountinfo dump.</summary>
    static string OptionsOf(string mountinfo, string mountPoint) =>
        mountinfo.Split('\n').Select(l => l.Split(' ')).Last(f => f.Length > 5 && f[4] == mountPoint)[5];

    [Fact]
    public void A_read_only_path_keeps_nosuid_nodev_and_noexec()
    {
        using var b = new Bundle();
        b.Config.Mounts!.Single(m => m.Destination == "/proc").Options = new() { "nosuid", "nodev", "noexec" };
        var r = RunSh(b, "cat /proc/self/mountinfo");
        r.ExitCode.Should().Be(0, r.ToString());
        OptionsOf(r.Stdout, "/proc").Should().StartWith("rw,nosuid,nodev,noexec");
        OptionsOf(r.Stdout, "/proc/sys").Should().StartWith("ro,nosuid,nodev,noexec", "runc keeps the bound mount's flags");
        OptionsOf(r.Stdout, "/proc/bus").Should().StartWith("ro,nosuid,nodev,noexec");
    }

    [Fact]
    public void A_mount_on_a_dangling_symlink_creates_its_target_inside_the_rootfs()
    {
        using var b = new Bundle();
        string hostName = "csrun-dangling-" + Guid.NewGuid().ToString("N")[..8];
        File.CreateSymbolicLink(Path.Combine(b.Rootfs, "data"), "/target/dir");
        File.CreateSymbolicLink(Path.Combine(b.Rootfs, "file"), "../target/file");
        File.CreateSymbolicLink(Path.Combine(b.Rootfs, "out"), $"../../../../../../tmp/{hostName}/dir");
        File.WriteAllText(Path.Combine(b.Dir, "payload"), "hi");
        b.Config.Mounts!.Add(new() { Destination = "/data", Type = "tmpfs", Source = "tmpfs" });
        b.Config.Mounts.Add(new() { Destination = "/file", Type = "bind", Source = "payload", Options = new() { "bind" } });
        b.Config.Mounts.Add(new() { Destination = "/out/sub", Type = "tmpfs", Source = "tmpfs" });
        var id = b.NewId();
        b.Config.Process!.Args = new() { "sh", "-c", "awk '{print $5, $9}' /proc/self/mountinfo | grep -E 'target|tmp/'; cat /file" };
        var r = b.Csrun("run", "-b", b.Dir, id);
        r.ExitCode.Should().Be(0, r.ToString());
        r.Stdout.Should().Be($"/target/dir tmpfs\n/target/file {FileSystemOf(b.Dir)}\n/tmp/{hostName}/dir/sub tmpfs\nhi", r.ToString());
        Directory.Exists(Path.Combine(b.Rootfs, "tmp", hostName, "dir", "sub")).Should().BeTrue("a link climbing out resolves inside the rootfs");
        Directory.Exists("/tmp/" + hostName).Should().BeFalse("nothing is made on the host");
        Leftovers.AssertNone(b, id);
    }

    [Fact]
    public void A_tmpfs_without_mode_takes_the_mode_of_the_directory_it_covers()
    {
        using var b = new Bundle();
        foreach (var (dir, mode) in new[] { ("m1", "700"), ("m2", "750"), ("m3", "1777") })
        {
            Directory.CreateDirectory(Path.Combine(b.Rootfs, dir));
            File.SetUnixFileMode(Path.Combine(b.Rootfs, dir), (UnixFileMode)Convert.ToInt32(mode, 8));
        }
        b.Config.Mounts!.Add(new() { Destination = "/m1", Type = "tmpfs", Source = "tmpfs", Options = new() { "ro", "size=1m" } });
        b.Config.Mounts.Add(new() { Destination = "/m2", Type = "tmpfs", Source = "tmpfs", Options = new() { "mode=1777" } });
        b.Config.Mounts.Add(new() { Destination = "/m3", Type = "tmpfs", Source = "tmpfs" });
        b.Config.Mounts.Add(new() { Destination = "/made", Type = "tmpfs", Source = "tmpfs" });
        var r = RunSh(b, "stat -c '%n %a' /m1 /m2 /m3 /made; grep -c ' /m1 .* tmpfs ' /proc/self/mountinfo");
        r.ExitCode.Should().Be(0, r.ToString());
        // An explicit mode= wins (runc 1.1.8 and later; 1.1.5 chmods the root back to 750).
        r.Stdout.Should().Be("/m1 700\n/m2 1777\n/m3 1777\n/made 1777\n1\n", r.ToString());
    }

    /// <summary>The source column mountinfo shows for a bind from <paramref name="path"/>'s file system.</summary>
    static string FileSystemOf(string path)
    {
        var lines = File.ReadAllLines("/proc/self/mountinfo").Select(l => l.Split(' ')).ToList();
        var best = lines.Where(f => path == f[4] || path.StartsWith(f[4].TrimEnd('/') + "/")).MaxBy(f => f[4].Length)!;
        return best[Array.IndexOf(best, "-") + 2];
    }
}
