using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Integration;

/// <summary>linux.resources.devices[].access as runc 1.1.5 reads it on this (cgroup v1) host.</summary>
public class DeviceAccessTests
{
    static Bundle WithRule(string access)
    {
        var b = new Bundle("sh", "-c", "grep ' 4:5 ' /sys/fs/cgroup/devices/devices.list || echo none");
        b.Config.Linux!.Resources = new()
        {
            Devices = new()
            {
                new() { Allow = false, Access = "rwm" },
                new() { Allow = true, Type = "c", Major = 4, Minor = 5, Access = access },
            },
        };
        return b;
    }

    [Theory]
    [InlineData("rwa", "rw")]
    [InlineData("rw ", "rw")]
    public void Characters_other_than_r_w_m_are_ignored_with_a_warning(string access, string granted)
    {
        using var b = WithRule(access);
        var id = b.NewId();
        var r = b.Csrun("run", "-b", b.Dir, id);
        r.ExitCode.Should().Be(0, r.ToString());
        r.Stdout.Should().Be($"c 4:5 {granted}\n", "runc 1.1.5 grants the same");
        r.Stderr.Should().Contain("linux.resources.devices[1].access: ignoring");
        Leftovers.AssertNone(b, id);
    }
}
