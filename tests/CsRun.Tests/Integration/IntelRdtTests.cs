using System.Text.Json;
using CsRun.Spec;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Integration;

/// <summary>
/// linux.intelRdt: config-linux.md says the runtime MUST error when no resctrl is mounted, and
/// csrun makes no resctrl groups where one is: either way an error, and `features` agrees.
/// runc 1.1.5 here refuses a schema ("Intel RDT/CAT is not enabled") but runs closID alone.
/// </summary>
public class IntelRdtTests
{
    static bool ResctrlMounted => File.ReadAllText("/proc/self/mountinfo").Contains(" - resctrl ");

    [Theory]
    [InlineData("closID")]
    [InlineData("l3CacheSchema")]
    [InlineData("empty")]
    public void IntelRdt_is_an_error_and_leaves_nothing(string field)
    {
        using var b = new Bundle("true");
        b.Config.Linux!.IntelRdt = field switch
        {
            "closID" => new IntelRdt { ClosId = "csrun-test" },
            "l3CacheSchema" => new IntelRdt { L3CacheSchema = "L3:0=f" },
            _ => new IntelRdt(),
        };
        var id = b.NewId("rdt");
        var r = b.Csrun("create", "-b", b.Dir, id);
        r.ExitCode.Should().Be(1, r.ToString());
        r.Stderr.Trim().Should().EndWith(ResctrlMounted
            ? "linux.intelRdt: not supported by csrun: it does not manage resctrl groups"
            : "linux.intelRdt: resctrl is not mounted (Intel RDT is not enabled on this host)");
        Leftovers.AssertNone(b, id);
    }

    [Fact]
    public void Features_does_not_enable_intelRdt()
    {
        var r = CsrunCli.Run(new[] { "features" });
        r.ExitCode.Should().Be(0, r.ToString());
        var rdt = JsonDocument.Parse(r.Stdout).RootElement.GetProperty("linux").GetProperty("intelRdt");
        rdt.GetProperty("enabled").GetBoolean().Should().BeFalse();
        rdt.TryGetProperty("schemata", out _).Should().BeFalse();
        rdt.TryGetProperty("monitoring", out _).Should().BeFalse();
    }
}
