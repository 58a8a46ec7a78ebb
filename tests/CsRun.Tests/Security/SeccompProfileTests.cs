using CsRun.Spec;
using CsRun.Tests.Integration;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Security;

/// <summary>The real default profiles of Docker and podman, loaded by csrun into a container.</summary>
public class SeccompProfileTests
{
    /// <summary>
    /// Each probe is a syscall the profile refuses but nothing else would: docker's refuses
    /// unshare (a user namespace needs no capability), podman's refuses sethostname even to a
    /// process that holds every capability.
    /// </summary>
    static CliResult RunWith(string? profile, string probe)
    {
        using var b = new Bundle("sh", "-c", $"echo allowed; {probe} 2>/dev/null && echo done || echo blocked");
        File.CreateSymbolicLink(Path.Combine(b.Rootfs, "bin", "unshare"), "busybox");
        var all = CapabilityNames.All.ToList();
        b.Config.Process!.Capabilities = new() { Bounding = all, Effective = all, Permitted = all };
        if (profile != null) b.Config.Linux!.Seccomp = global::CsRun.Tests.Seccomp.Profiles.Fixture(profile);
        return b.Run();
    }

    [Theory]
    [InlineData("docker-default.json", "unshare -U true")]
    [InlineData("podman-default.json", "hostname probe")]
    public void A_default_profile_blocks_what_it_refuses_and_allows_the_rest(string profile, string probe)
    {
        var r = RunWith(profile, probe);
        r.ExitCode.Should().Be(0, r.ToString());
        r.Stdout.Should().Be("allowed\nblocked\n");
        var control = RunWith(null, probe);
        control.Stdout.Should().Be("allowed\ndone\n", "without the profile the same call works");
    }
}
