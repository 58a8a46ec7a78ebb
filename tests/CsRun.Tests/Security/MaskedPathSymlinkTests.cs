using CsRun.Tests.Integration;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Security;

/// <summary>
/// linux.maskedPaths and linux.readonlyPaths entries that are symlinks in the image: like runc,
/// csrun masks (or makes read-only) what the link points to, resolved inside the container's
/// root. They used to be left unmasked and writable without a word.
/// </summary>
public class MaskedPathSymlinkTests
{
    [Fact]
    public void A_masked_file_that_is_a_symlink_masks_its_target()
    {
        using var b = new Bundle("sh", "-c", "cat /etc/secret; echo ---; cat /data/secret; echo end");
        Directory.CreateDirectory(Path.Combine(b.Rootfs, "data"));
        File.WriteAllText(Path.Combine(b.Rootfs, "data", "secret"), "top secret\n");
        File.CreateSymbolicLink(Path.Combine(b.Rootfs, "etc", "secret"), "/data/secret");
        b.Config.Linux!.MaskedPaths!.Add("/etc/secret");
        var r = b.Run();
        r.ExitCode.Should().Be(0, r.ToString());
        r.Stdout.Should().Be("---\nend\n", "the file behind the link reads empty through either name");
        File.ReadAllText(Path.Combine(b.Rootfs, "data", "secret")).Should().Be("top secret\n");
    }

    [Fact]
    public void A_masked_directory_that_is_a_symlink_masks_its_target()
    {
        using var b = new Bundle("sh", "-c", "ls -A /etc/keys; echo ---; ls -A /keys; echo end");
        Directory.CreateDirectory(Path.Combine(b.Rootfs, "keys"));
        File.WriteAllText(Path.Combine(b.Rootfs, "keys", "id_rsa"), "key\n");
        File.CreateSymbolicLink(Path.Combine(b.Rootfs, "etc", "keys"), "../keys");
        b.Config.Linux!.MaskedPaths!.Add("/etc/keys");
        var r = b.Run();
        r.ExitCode.Should().Be(0, r.ToString());
        r.Stdout.Should().Be("---\nend\n", "the directory behind the link lists empty");
    }

    [Fact]
    public void A_readonly_path_that_is_a_symlink_makes_its_target_read_only()
    {
        using var b = new Bundle("sh", "-c", "touch /etc/conf/new; echo rc=$?; touch /conf/new2; echo rc=$?; touch /tmp/ok; echo rc=$?");
        b.Config.Root!.Readonly = false;
        Directory.CreateDirectory(Path.Combine(b.Rootfs, "conf"));
        File.CreateSymbolicLink(Path.Combine(b.Rootfs, "etc", "conf"), "/conf");
        b.Config.Linux!.ReadonlyPaths!.Add("/etc/conf");
        var r = b.Run();
        r.ExitCode.Should().Be(0, r.ToString());
        r.Stdout.Should().Be("rc=1\nrc=1\nrc=0\n", r.ToString());
        r.Stderr.Should().Contain("Read-only file system");
        Directory.GetFileSystemEntries(Path.Combine(b.Rootfs, "conf")).Should().BeEmpty();
    }

    /// <summary>A link that climbs out with "..": inside the root it stops at /, never on the host.</summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_symlink_climbing_upwards_masks_the_file_inside_the_rootfs(bool absolute)
    {
        using var b = new Bundle();
        // Followed on the host from rootfs/etc, "../../victim" is the bundle's victim; the
        // absolute form names the bundle's victim by its host path after climbing past /.
        string hostVictim = Path.Combine(b.Dir, "victim");
        File.WriteAllText(hostVictim, "host data\n");
        string target = absolute ? "/../../.." + hostVictim : "../../victim";
        string inside = absolute ? hostVictim : "/victim";
        string insideOnDisk = Path.Combine(b.Rootfs, inside.TrimStart('/'));
        Directory.CreateDirectory(Path.GetDirectoryName(insideOnDisk)!);
        File.WriteAllText(insideOnDisk, "image data\n");
        File.CreateSymbolicLink(Path.Combine(b.Rootfs, "etc", "up"), target);
        b.Config.Process!.Args = new() { "sh", "-c", $"cat /etc/up; echo ---; cat {inside}; echo end" };
        b.Config.Linux!.MaskedPaths!.Add("/etc/up");
        var r = b.Run();
        r.ExitCode.Should().Be(0, r.ToString());
        r.Stdout.Should().Be("---\nend\n", "the image's own file is the one masked");
        File.ReadAllText(hostVictim).Should().Be("host data\n");
        File.ReadAllText(insideOnDisk).Should().Be("image data\n");
        File.ReadAllText("/proc/self/mountinfo").Should().NotContain(b.Dir);
    }

    /// <summary>An entry that exists but cannot be applied fails the create, naming the field and the path.</summary>
    [Theory]
    [InlineData("linux.maskedPaths")]
    [InlineData("linux.readonlyPaths")]
    public void A_symlink_loop_fails_with_the_field_and_the_path(string field)
    {
        using var b = new Bundle("true");
        File.CreateSymbolicLink(Path.Combine(b.Rootfs, "etc", "loop"), "/etc/loop");
        var list = field == "linux.maskedPaths" ? b.Config.Linux!.MaskedPaths! : b.Config.Linux!.ReadonlyPaths!;
        list.Add("/etc/loop");
        string log = Path.Combine(b.Dir, "log.json");
        var id = b.NewId();
        var r = b.Csrun("--log", log, "--log-format", "json", "run", "-b", b.Dir, id);
        r.ExitCode.Should().Be(1, r.ToString());
        r.Stderr.Should().Contain($"{field}[{list.Count - 1}]").And.Contain("/etc/loop").And.Contain("openat2").And.Contain("ELOOP");
        File.ReadAllText(log).Should().Contain("\"level\":\"error\"").And.Contain("/etc/loop");
        Leftovers.AssertNone(b, id);
    }

    /// <summary>A link through /proc/self/… (a magic link) is refused, not followed (runc follows it).</summary>
    [Fact]
    public void A_magic_link_is_refused()
    {
        using var b = new Bundle("true");
        File.WriteAllText(Path.Combine(b.Rootfs, "etc", "data"), "x\n");
        File.CreateSymbolicLink(Path.Combine(b.Rootfs, "etc", "magic"), "/proc/self/root/etc/data");
        b.Config.Linux!.MaskedPaths!.Add("/etc/magic");
        var id = b.NewId();
        var r = b.Csrun("run", "-b", b.Dir, id);
        r.ExitCode.Should().Be(1, r.ToString());
        r.Stderr.Should().Contain("linux.maskedPaths").And.Contain("/etc/magic").And.Contain("ELOOP");
        Leftovers.AssertNone(b, id);
    }

    /// <summary>A link to nothing hides nothing: a no-op, as in runc (checked with the masks that do apply).</summary>
    [Fact]
    public void A_dangling_symlink_is_a_no_op_beside_one_that_is_masked()
    {
        using var b = new Bundle("sh", "-c", "cat /etc/secret; echo end");
        File.WriteAllText(Path.Combine(b.Rootfs, "etc", "real"), "secret\n");
        File.CreateSymbolicLink(Path.Combine(b.Rootfs, "etc", "secret"), "real");
        File.CreateSymbolicLink(Path.Combine(b.Rootfs, "etc", "dangling"), "/nonexistent");
        b.Config.Linux!.MaskedPaths!.AddRange(new[] { "/etc/dangling", "/etc/secret" });
        b.Config.Linux.ReadonlyPaths!.Add("/etc/dangling");
        var r = b.Run();
        r.ExitCode.Should().Be(0, r.ToString());
        r.Stdout.Should().Be("end\n");
        File.Exists(Path.Combine(b.Rootfs, "nonexistent")).Should().BeFalse("a dangling entry creates nothing");
    }
}
