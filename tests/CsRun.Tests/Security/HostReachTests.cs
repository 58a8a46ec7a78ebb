using CsRun.Tests.Integration;
using FluentAssertions;
using Xunit;
using Xunit.Abstractions;

namespace CsRun.Tests.Security;

/// <summary>
/// CVE-2019-5736 and CVE-2024-21626 as an attacker runs them: a hostile process in a running
/// container hunts every /proc/&lt;pid&gt;/exe and /proc/&lt;pid&gt;/fd/* while the host runs
/// `csrun exec` (a liveness probe), keeps what it gets, and writes through it once csrun has
/// exited; a hostile image aims its entrypoint through csrun's fds. Each attack runs against a
/// private copy of csrun. A "BREACH" line in the hunter's report is a host file reached.
/// </summary>
public class HostReachTests
{
    readonly ITestOutputHelper _out;
    public HostReachTests(ITestOutputHelper output) => _out = output;

    const int Execs = 150;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_hunter_in_the_container_reaches_nothing_of_the_host_through_exec_children(bool ptrace)
    {
        using var attacker = new Attacker();
        using var b = new Bundle("sleep", "1000");
        Attacker.Arm(b);
        if (ptrace) Attacker.GrantPtrace(b);
        var id = b.NewId();
        attacker.Csrun(b, "run", "-d", "-b", b.Dir, id).ExitCode.Should().Be(0);
        attacker.StartHunt(b, id);
        for (int i = 0; i < Execs; i++)
        {
            var r = attacker.Csrun(b, "exec", id, "true");
            r.ExitCode.Should().Be(0, r.ToString());
        }
        string report = Attacker.Report(b);
        _out.WriteLine(report);
        report.Should().NotContain("BREACH");
        report.Should().MatchRegex("scans=[1-9]");
        attacker.Hash().Should().Be(attacker.VictimHash);
    }

    [Theory]
    [InlineData("run")]
    [InlineData("exec")]
    public void An_executable_path_through_a_csrun_fd_does_not_reach_the_host(string how)
    {
        using var attacker = new Attacker();
        using var b = new Bundle("sleep", "1000");
        string id = b.NewId();
        if (how == "exec") attacker.Csrun(b, "run", "-d", "-b", b.Dir, id).ExitCode.Should().Be(0);
        string up = string.Concat(Enumerable.Repeat("../", 40));
        string hostEcho = Path.Combine(attacker.Dir, "hostonly", "echo").TrimStart('/');
        for (int fd = 3; fd <= 24; fd++)
        {
            string path = $"/proc/self/fd/{fd}/{up}{hostEcho}";
            CliResult r;
            if (how == "run")
            {
                b.Config.Process!.Args = new() { path, "ESCAPED" };
                r = attacker.Csrun(b, "run", "-b", b.Dir, b.NewId());
            }
            else r = attacker.Csrun(b, "exec", id, path, "ESCAPED");
            r.Stdout.Should().NotContain("ESCAPED", $"fd {fd} led out of the container: {r}");
            r.ExitCode.Should().NotBe(0, r.ToString());
        }
        attacker.Hash().Should().Be(attacker.VictimHash);
    }

    /// <summary>runc 1.1.5 fills such a hole with its own O_PATH fd of /sys/fs/cgroup.</summary>
    [Theory]
    [InlineData("run")]
    [InlineData("exec")]
    public void Preserving_an_fd_that_is_not_open_is_an_error(string how)
    {
        using var b = new Bundle("sleep", "1000");
        var id = b.NewId();
        var r = how == "run"
            ? b.Csrun("run", "--preserve-fds", "3", "-b", b.Dir, id)
            : b.Csrun("run", "-d", "-b", b.Dir, id) is { ExitCode: 0 } ? b.Csrun("exec", "--preserve-fds", "2", id, "true") : throw new InvalidOperationException("run -d failed");
        r.ExitCode.Should().Be(how == "run" ? 1 : 255, r.ToString());
        r.Stderr.Should().Contain("--preserve-fds").And.Contain("fd 3 is not open");
        if (how == "run") Leftovers.AssertNone(b, id);
    }
}
