using CsRun.Tests.Integration;
using FluentAssertions;
using Xunit;
using Xunit.Abstractions;

namespace CsRun.Tests.Security;

/// <summary>
/// CVE-2019-5736 through exec: a hostile image makes the kernel run csrun's own image inside the
/// container (its entrypoint, or a #! interpreter up the chain, is /proc/self/exe; or a file it
/// swaps between a binary and such a link while csrun execs it). Every csrun that puts a process
/// into a container runs from a read-only view of its binary, and a csrun started from such a
/// view by anyone but csrun itself refuses before its runtime starts: csrun's code never runs in
/// the container, and the file the container could reach is read-only.
/// </summary>
public class RuntimeImageTests
{
    const string Refusal = "refusing to run from another csrun's image";
    readonly ITestOutputHelper _out;
    public RuntimeImageTests(ITestOutputHelper output) => _out = output;

    /// <summary>/bin/s1 is `#!/proc/self/exe`, /bin/sN is `#!/bin/s(N-1)`.</summary>
    static void WriteChain(Bundle b, int depth)
    {
        for (int i = 1; i <= depth; i++)
        {
            string path = Path.Combine(b.Rootfs, "bin", "s" + i);
            File.WriteAllText(path, i == 1 ? "#!/proc/self/exe\n" : $"#!/bin/s{i - 1}\n");
            File.SetUnixFileMode(path, (UnixFileMode)0x1ed);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(5)]
    public void The_csrun_image_never_runs_as_the_entrypoint_or_its_interpreter(int depth)
    {
        using var attacker = new Attacker();
        using var b = new Bundle(depth == 0 ? "/proc/self/exe" : "/bin/s" + depth, "--version");
        WriteChain(b, depth);
        Attacker.AddGlibc(b);
        var r = attacker.Csrun(b, "run", "-b", b.Dir, b.NewId());
        _out.WriteLine(r.ToString());
        r.ExitCode.Should().NotBe(0, r.ToString());
        r.Stdout.Should().NotContain("csrun version", "csrun's code ran in the container");
        r.Stderr.Should().NotContain("No help topic", "csrun's code ran in the container");
        if (depth <= 4) r.Stderr.Should().Contain(Refusal); // deeper chains: the kernel's ELOOP
        attacker.Hash().Should().Be(attacker.VictimHash);
    }

    [Fact]
    public void A_target_swapped_with_a_link_to_proc_self_exe_never_runs_csrun()
    {
        using var attacker = new Attacker();
        using var b = new Bundle("sleep", "1000");
        Attacker.Arm(b);
        Attacker.AddGlibc(b);
        File.Copy(Path.Combine(b.Rootfs, "bin", "hunter"), Path.Combine(b.Rootfs, "bin", "target"));
        var id = b.NewId();
        attacker.Csrun(b, "run", "-d", "-b", b.Dir, id).ExitCode.Should().Be(0);
        attacker.StartHunt(b, id);
        attacker.Csrun(b, "exec", "-d", id, "/bin/hunter", "swap", "/bin/target", "/bin/hunter").ExitCode.Should().Be(0);
        int real = 0, refused = 0, other = 0;
        for (int i = 0; i < 300; i++)
        {
            var r = attacker.Csrun(b, "exec", id, "/bin/target", "--version");
            r.Stdout.Should().NotContain("csrun version", "csrun's code ran in the container");
            r.Stderr.Should().NotContain("No help topic", "csrun's code ran in the container");
            if (r.Stderr.Contains("usage: hunter")) real++;
            else if (r.Stderr.Contains(Refusal)) refused++;
            else if (other++ < 3) _out.WriteLine("other: " + r);
        }
        string report = Attacker.Report(b);
        _out.WriteLine($"300 execs of a swapping target: {real} ran it, {refused} hit csrun's view and were refused, {other} other");
        _out.WriteLine(report);
        report.Should().NotContain("BREACH");
        real.Should().BeGreaterThan(0);
        (real + refused).Should().Be(300, "every exec ran either the target or, losing the race, csrun's view, which refused");
        attacker.Hash().Should().Be(attacker.VictimHash);
    }
}
