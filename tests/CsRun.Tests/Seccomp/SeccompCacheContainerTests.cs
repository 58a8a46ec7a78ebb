using CsRun.Seccomp;
using CsRun.Tests.Integration;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Seccomp;

/// <summary>
/// Real containers (out/csrun) whose filter comes from the cache under their --root: it still
/// refuses what the profile refuses, and a changed profile is compiled anew, not reused.
/// </summary>
public class SeccompCacheContainerTests
{
    const int Getpid = 39, AddKey = 248, Getppid = 110;
    const string FromCache = "seccomp filter read from the cache";

    static readonly Lazy<string> ProbeExe = new(() => StaticProbe.Build("Seccomp/syscall-probe.c"));

    static Bundle ProbeBundle(params int[] syscalls)
    {
        var b = new Bundle(["/bin/probe", .. syscalls.Select(n => n.ToString())]);
        File.Copy(ProbeExe.Value, Path.Combine(b.Rootfs, "bin", "probe"));
        return b;
    }

    /// <summary>`run` with a debug log; the probe's lines and whether the filter came from the cache.</summary>
    static (string[] Lines, bool Cached) Run(Bundle b)
    {
        string log = Path.Combine(b.Dir, $"log-{Guid.NewGuid():N}");
        var r = b.Csrun("--debug", "--log", log, "run", "-b", b.Dir, b.NewId());
        r.ExitCode.Should().Be(0, r.ToString());
        return (r.Stdout.Trim().Split('\n'), File.ReadAllText(log).Contains(FromCache));
    }

    string[] CacheEntries(Bundle b) => Directory.GetFiles(Path.Combine(b.StateRoot, SeccompCache.DirName));

    [Fact]
    public void Podmans_profile_from_the_cache_still_refuses_and_stubs()
    {
        using var b = ProbeBundle(Getpid, AddKey);
        b.Config.Linux!.Seccomp = Profiles.Fixture("podman-default.json");
        string[] expected = [$"{Getpid} ret 1", $"{AddKey} errno 38"];
        var first = Run(b);
        first.Cached.Should().BeFalse();
        first.Lines.Should().Equal(expected);
        CacheEntries(b).Should().ContainSingle();
        var second = Run(b);
        second.Cached.Should().BeTrue();
        second.Lines.Should().Equal(expected);
    }

    [Fact]
    public void A_changed_errno_is_compiled_again_not_taken_from_the_cache()
    {
        using var b = ProbeBundle(Getppid);
        string Profile(int errno) => $$"""
            {"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["getppid"],"action":"SCMP_ACT_ERRNO","errnoRet":{{errno}}}]}
            """;
        foreach (var (errno, cached) in new[] { (42, false), (42, true), (43, false) })
        {
            b.Config.Linux!.Seccomp = Profiles.Parse(Profile(errno));
            var r = Run(b);
            r.Lines.Should().Equal($"{Getppid} errno {errno}");
            r.Cached.Should().Be(cached, $"errno {errno}");
        }
        CacheEntries(b).Should().HaveCount(2);
    }
}
