using System.Security.Cryptography;
using CsRun.Tests.Integration;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Security;

/// <summary>
/// CVE-2019-5736: the container must never get to run csrun's own image, the only way a
/// process inside could reach the host binary through /proc/&lt;pid&gt;/exe and overwrite it.
/// </summary>
public class RuntimeImageTests
{
    static string Hash() => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(TestHost.Csrun)));

    /// <summary>The attack: the entrypoint's interpreter is /proc/self/exe, and a watcher tries to write it.</summary>
    static void WriteAttack(Bundle b)
    {
        File.WriteAllText(Path.Combine(b.Rootfs, "bin", "entry"), "#!/proc/self/exe\n");
        File.WriteAllText(Path.Combine(b.Rootfs, "bin", "chain"), "#!/bin/entry\n");
        File.WriteAllText(Path.Combine(b.Rootfs, "bin", "watch"),
            "#!/bin/sh\nwhile true; do for p in /proc/[0-9]*; do echo pwned > $p/exe 2>/dev/null; done; done\n");
        foreach (var f in new[] { "entry", "chain", "watch" })
            File.SetUnixFileMode(Path.Combine(b.Rootfs, "bin", f), (UnixFileMode)0x1ed);
    }

    [Theory]
    [InlineData("/bin/entry")]
    [InlineData("/bin/chain")]
    [InlineData("/proc/self/exe")]
    public void The_csrun_binary_is_refused_as_entrypoint_or_interpreter(string entry)
    {
        string before = Hash();
        using var b = new Bundle(entry);
        WriteAttack(b);
        var id = b.NewId();
        var r = b.Csrun("run", "-b", b.Dir, id);
        r.ExitCode.Should().Be(1, r.ToString());
        r.Stderr.Should().Contain("CVE-2019-5736");
        Hash().Should().Be(before);
        Leftovers.AssertNone(b, id);
    }

    [Fact]
    public void A_watcher_in_the_container_cannot_overwrite_csrun_through_exec()
    {
        string before = Hash();
        using var b = new Bundle("sleep", "100");
        WriteAttack(b);
        var id = b.NewId();
        b.Csrun("run", "-d", "-b", b.Dir, id).ExitCode.Should().Be(0);
        b.Csrun("exec", "-d", id, "/bin/watch").ExitCode.Should().Be(0);
        for (int i = 0; i < 5; i++)
        {
            var r = b.Csrun("exec", id, "/bin/entry");
            r.ExitCode.Should().Be(1, r.ToString());
            r.Stderr.Should().Contain("CVE-2019-5736");
        }
        Hash().Should().Be(before);
    }
}
