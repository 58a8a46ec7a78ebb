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
}
