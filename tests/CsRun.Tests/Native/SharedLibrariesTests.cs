using CsRun.Tests.Integration;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Native;

/// <summary>What out/csrun needs from the system at run time: libc, nothing else.</summary>
public class SharedLibrariesTests
{
    [Fact]
    public void The_binary_needs_no_shared_library_but_libc()
    {
        var r = CsrunCli.RunProgram("readelf", new[] { "-d", TestHost.Csrun });
        r.ExitCode.Should().Be(0, r.ToString());
        var needed = r.Stdout.Split('\n').Where(l => l.Contains("(NEEDED)")).Select(l => l[(l.IndexOf('[') + 1)..l.IndexOf(']')]).ToList();

        needed.Should().Contain("libc.so.6");
        needed.Should().BeSubsetOf(new[] { "libc.so.6", "ld-linux-x86-64.so.2" }, "libm.so.6 is replaced by src/native/mathfuncs.c");
    }

    [Fact]
    public void Ceil_log_log2_and_pow_are_linked_in()
    {
        var r = CsrunCli.RunProgram("nm", new[] { "-D", "--undefined-only", TestHost.Csrun });
        r.ExitCode.Should().Be(0, r.ToString());
        var undefined = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[^1].Split('@')[0]);

        undefined.Should().NotIntersectWith(new[] { "ceil", "log", "log2", "pow" });
    }
}
