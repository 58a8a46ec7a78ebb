using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Integration;

/// <summary>
/// --log is opened once at start-up, as runc 1.1.5 does: a path that cannot be opened fails the
/// command (exit 1, "open PATH: ERRNO" on stderr) before it does anything; --version and --help
/// still work.
/// </summary>
public class LogFileTests
{
    [Fact]
    public void A_log_path_that_cannot_be_opened_fails_every_command_before_it_runs()
    {
        using var b = new Bundle("true");
        string missing = Path.Combine(b.Dir, "no-such-dir", "csrun.log");
        string specDir = Directory.CreateDirectory(Path.Combine(b.Dir, "spec")).FullName;
        var cases = new (string Log, string Errno)[] { (b.Dir, "is a directory"), (missing, "no such file or directory") };
        foreach (var (log, errno) in cases)
        {
            foreach (var command in new[] { new[] { "list" }, new[] { "spec", "--bundle", specDir }, new[] { "state", "nope" } })
            {
                var r = b.Csrun(new[] { "--log", log }.Concat(command).ToArray());
                r.ExitCode.Should().Be(1, r.ToString());
                r.Stderr.Should().Contain($"--log: open {log}: {errno}", r.ToString());
                r.Stdout.Should().BeEmpty("the command did not run");
            }
            // Creating a container must not start at all.
            var id = b.NewId();
            var created = b.Csrun("--log", log, "--log-format", "json", "create", "-b", b.Dir, id);
            created.ExitCode.Should().Be(1, created.ToString());
            created.Stderr.Should().Contain($"--log: open {log}: {errno}");
            b.Csrun("state", id).ExitCode.Should().Be(1, "no container was created");
            Leftovers.AssertNone(b, id);
        }
        File.Exists(missing).Should().BeFalse();
        File.Exists(Path.Combine(specDir, "config.json")).Should().BeFalse("spec did not run");

        // --version and --help never open it (runc's neither).
        b.Csrun("--log", missing, "--version").ExitCode.Should().Be(0);
        b.Csrun("--log", missing, "--help").ExitCode.Should().Be(0);
        File.Exists(missing).Should().BeFalse();
    }

    [Fact]
    public void A_log_that_can_be_opened_is_created_and_gets_the_error()
    {
        using var b = new Bundle("true");
        string log = Path.Combine(b.Dir, "csrun.log");
        var r = b.Csrun("--log", log, "--log-format", "json", "state", "nope");
        r.ExitCode.Should().Be(1);
        File.ReadAllText(log).Should().Contain("\"level\":\"error\"").And.Contain("does not exist");
        var again = b.Csrun("--log", log, "list");
        again.ExitCode.Should().Be(0, again.ToString());
        File.ReadAllLines(log).Should().HaveCount(1, "appended to, never truncated, and list logs nothing");
    }

    /// <summary>--debug tells a container's life as runc's does (its nsexec stages, "child process
    /// in init()", "process exited"): the plan, the clone, creation, the fifo, the exit status.</summary>
    [Fact]
    public void Debug_logs_the_containers_life_in_json_records()
    {
        using var b = new Bundle("sh", "-c", "exit 3");
        string log = Path.Combine(b.Dir, "debug.json");
        var r = b.Csrun("--debug", "--log", log, "--log-format", "json", "run", "-b", b.Dir, b.NewId());
        r.ExitCode.Should().Be(3, r.ToString());
        var lines = File.ReadAllLines(log);
        var debug = lines.Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement)
            .Where(e => e.GetProperty("level").GetString() == "debug").Select(e => e.GetProperty("msg").GetString()!).ToList();
        debug.Should().Contain(m => m.StartsWith("setup program:"));
        debug.Should().Contain(m => m.Contains(" created: init "));
        debug.Should().Contain(m => m.StartsWith("exec fifo released: init "));
        debug.Should().Contain(m => m.StartsWith("process exited: pid ") && m.EndsWith("status 3"));
        b.Csrun("--log", log, "--log-format", "json", "list").ExitCode.Should().Be(0);
        File.ReadAllLines(log).Length.Should().Be(lines.Length, "without --debug nothing is logged for a command that succeeds");
    }
}
