using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Integration;

/// <summary>linux.sysctl against a read-only /proc/sys, the way podman configures every container.</summary>
public class SysctlTests
{
    [Fact]
    public void Sysctls_are_written_before_readonly_paths_make_proc_sys_read_only()
    {
        using var b = new Bundle("cat", "/proc/sys/net/ipv4/ping_group_range");
        b.Config.Linux!.Sysctl = new() { ["net.ipv4.ping_group_range"] = "0 0" };
        b.Config.Linux.ReadonlyPaths.Should().Contain("/proc/sys");
        var id = b.NewId();
        var r = b.Csrun("run", "-b", b.Dir, id);
        r.ExitCode.Should().Be(0, r.ToString());
        r.Stdout.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Should().Equal("0", "0");
        Leftovers.AssertNone(b, id);
    }
}
