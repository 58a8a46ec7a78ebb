using CsRun.Cgroups;
using CsRun.Tests.Integration;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Native;

/// <summary>
/// src/native/mathfuncs.c, the ceil, log, log2 and pow linked into csrun in place of libm.so.6,
/// against glibc's libm: mathfuncs-vs-libm.c, built here with clang and the flags of the build.
/// </summary>
public class MathFuncsTests
{
    static readonly Lazy<string> Checker = new(Build);
    static readonly Lazy<Dictionary<string, Group>> Groups = new(Compare);

    /// <summary>A line of `compare`: how many cases, the largest distance in ulps, the line itself.</summary>
    sealed record Group(long Cases, ulong MaxUlp, string Line);

    [Theory]
    [InlineData("ceil_special", 0)]
    [InlineData("ceil_random", 0)]
    [InlineData("log_special", 0)]
    [InlineData("log_random", 1)]
    [InlineData("log_near_1", 1)]
    [InlineData("log2_special", 0)]
    [InlineData("log2_random", 1)]
    [InlineData("log2_near_1", 1)]
    [InlineData("log2_powers_of_2", 0)] // against k itself
    [InlineData("pow_special", 1)] // NaN, zeros and infinities: the same, sign included
    [InlineData("pow_exact_integers", 0)] // against the exact power: 10^22, 1024^-107, (-3)^33
    [InlineData("pow_random", 1)]
    public void Results_stay_within_an_ulp_of_glibc(string group, int maxUlp)
    {
        Groups.Value.Should().ContainKey(group);
        var g = Groups.Value[group];
        g.Cases.Should().BeGreaterThan(40, g.Line);
        g.MaxUlp.Should().BeLessOrEqualTo((ulong)maxUlp, g.Line);
    }

    /// <summary>The formula through mathfuncs.c gives what it gives here, through glibc.</summary>
    [Fact]
    public void Cpu_weight_is_runcs_for_every_share_count()
    {
        var r = Run("cpuweight");
        var lines = r.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Should().HaveCount(262141);
        var wrong = lines.Select(l => l.Split(' ')).Select(f => (Shares: ulong.Parse(f[0]), Weight: ulong.Parse(f[1])))
            .Where(p => V2Conversions.CpuWeight(p.Shares) != p.Weight).Take(5).ToList();
        wrong.Should().BeEmpty();
    }

    static Dictionary<string, Group> Compare() =>
        Run("compare").Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split(' ')).ToDictionary(
            f => f[0], f => new Group(long.Parse(f[1]["cases=".Length..]), ulong.Parse(f[3]["max_ulp=".Length..]), string.Join(' ', f)));

    static string Run(string mode)
    {
        var r = CsrunCli.RunProgram(Checker.Value, new[] { mode });
        r.ExitCode.Should().Be(0, r.ToString());
        return r.Stdout;
    }

    static string Build()
    {
        string dir = Directory.CreateTempSubdirectory("csrun-mathfuncs-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(dir, recursive: true);
        string exe = Path.Combine(dir, "mathfuncs-vs-libm");
        var r = CsrunCli.RunProgram("clang", new[]
        {
            "-Os", "-fno-builtin", "-ffp-contract=off", "-Wall", "-Werror", "-o", exe,
            Path.Combine(TestHost.RepoRoot, "tests", "CsRun.Tests", "Native", "mathfuncs-vs-libm.c"),
            Path.Combine(TestHost.RepoRoot, "src", "native", "mathfuncs.c"), "-ldl",
        });
        r.ExitCode.Should().Be(0, "clang must build the checker: " + r);
        return exe;
    }
}
