using System.Text.Json;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Integration;

/// <summary>
/// runc 1.1.5 behaviours that callers and scripts depend on, each compared with runc on this
/// machine (docs/runc-behaviours.md has the table): list's JSON line, kill of a detached
/// busybox, exec's failure statuses, the help and version layout.
/// </summary>
public class RuncBehaviourTests
{
    [Fact]
    public void List_json_is_one_compact_line_and_null_when_empty()
    {
        using var b = new Bundle("sleep", "100");
        var r = b.Csrun("list", "--format", "json");
        r.Stdout.Should().Be("null\n");
        var id = Detached(b);
        r = b.Csrun("list", "--format", "json");
        r.ExitCode.Should().Be(0, r.ToString());
        r.Stdout.Should().StartWith("[{\"ociVersion\":").And.EndWith("}]\n").And.NotContain(" ");
        r.Stdout.TrimEnd('\n').Should().NotContain("\n", "json.Encoder writes one line");
        JsonDocument.Parse(r.Stdout).RootElement[0].GetProperty("id").GetString().Should().Be(id);
    }

    [Fact]
    public void Kill_of_a_detached_busybox_follows_runc()
    {
        using var b = new Bundle("sleep", "1000");
        var id = Detached(b);
        // PID 1 of a pid namespace has no default action for SIGTERM: busybox sleep stays.
        b.Csrun("kill", id).ExitCode.Should().Be(0);
        Thread.Sleep(300);
        Status(b, id).Should().Be("running");
        b.Csrun("kill", id, "9").ExitCode.Should().Be(0);
        for (int i = 0; i < 100 && Status(b, id) != "stopped"; i++) Thread.Sleep(20);
        Status(b, id).Should().Be("stopped");
        var r = b.Csrun("kill", id, "KILL");
        (r.ExitCode, r.Stderr).Should().Be((1, "container not running\n"));
        b.Csrun("kill", "--all", id, "KILL").ExitCode.Should().Be(0, "--all of a stopped container is no error in runc 1.1.5");
        r = b.Csrun("kill", id, "FOO");
        (r.ExitCode, r.Stderr).Should().Be((1, "unknown signal \"FOO\"\n"));
    }

    /// <summary>`run -d` of the bundle under a new id.</summary>
    internal static string Detached(Bundle b)
    {
        var id = b.NewId();
        var r = b.Csrun("run", "-d", "-b", b.Dir, id);
        r.ExitCode.Should().Be(0, r.ToString());
        return id;
    }

    static string Status(Bundle b, string id) =>
        JsonDocument.Parse(b.Csrun("state", id).Stdout).RootElement.GetProperty("status").GetString()!;

    [Fact]
    public void Exec_failures_exit_255_with_exec_failed_and_usage_errors_1()
    {
        using var b = new Bundle("sleep", "1000");
        var id = Detached(b);
        var cases = new (string[] Args, int Status, string Says)[]
        {
            (new[] { "exec" }, 1, "\"exec\" requires a minimum of 1 argument(s)"),
            (new[] { "exec", "--bogus", id, "true" }, 1, "flag provided but not defined: -bogus"),
            (new[] { "exec", "no-such-container", "true" }, 255, "exec failed: container does not exist"),
            (new[] { "exec", id, "no-such-binary" }, 255, "exec failed: exec: \"no-such-binary\": executable file not found in $PATH"),
            (new[] { "exec", "--cwd", "/nonexistent", id, "true" }, 255, "exec failed: "),
            (new[] { "exec", "-p", "/nonexistent.json", id }, 255, "exec failed: open /nonexistent.json: no such file or directory"),
            (new[] { "exec", id, "sh", "-c", "exit 1" }, 1, ""),
            (new[] { "exec", id, "sh", "-c", "exit 254" }, 254, ""),
            (new[] { "exec", id, "sh", "-c", "kill -9 $$" }, 137, ""),
        };
        foreach (var (args, status, says) in cases)
        {
            var r = b.Csrun(args);
            r.ExitCode.Should().Be(status, string.Join(' ', args) + ": " + r);
            if (says.Length > 0) r.Stderr.Should().StartWith(says, string.Join(' ', args));
            else r.Stderr.Should().BeEmpty();
        }
        b.Csrun("kill", id, "KILL").ExitCode.Should().Be(0);
        for (int i = 0; i < 100 && Status(b, id) != "stopped"; i++) Thread.Sleep(20);
        var stopped = b.Csrun("exec", id, "true");
        (stopped.ExitCode, stopped.Stderr).Should().Be((255, "exec failed: cannot exec in a stopped container\n"));
    }

    [Fact]
    public void Help_and_version_follow_runcs_layout()
    {
        var none = CsrunCli.Run(Array.Empty<string>());
        none.ExitCode.Should().Be(0, "runc without a command prints its help and exits 0");
        none.Stdout.Should().Be(CsrunCli.Run(new[] { "--help" }).Stdout).And.Be(CsrunCli.Run(new[] { "-h" }).Stdout);
        var sections = none.Stdout.Split("\n\n");
        sections[0].Should().Be("NAME:\n   csrun - Open Container Initiative runtime written in C#");
        none.Stdout.Should().Contain("\nUSAGE:\n   csrun [global options] command [command options] [arguments...]\n");
        // urfave/cli puts the whole version text under VERSION, only its first line indented.
        var version = CsrunCli.Run(new[] { "--version" }).Stdout;
        version.Should().MatchRegex("^csrun version [0-9.]+\nspec: [0-9.]+\nlibseccomp: [0-9]+\\.[0-9]+\\.[0-9]+\n$");
        none.Stdout.Should().Contain("\nVERSION:\n   " + version["csrun version ".Length..]);
        CsrunCli.Run(new[] { "-v" }).Stdout.Should().Be(version);

        // Columns two spaces past the longest name, commands in runc's order, help last.
        var commands = Section(none.Stdout, "COMMANDS:");
        commands.Select(l => l.Trim().Split(' ')[0].TrimEnd(',')).Should().Equal(
            "checkpoint", "create", "delete", "events", "exec", "kill", "list", "pause", "ps", "restore", "resume", "run", "spec", "start", "state", "update", "features", "help");
        AssertColumns(commands);
        commands.Last().Should().Be("   help, h     Shows a list of commands or help for one command");
        var globals = Section(none.Stdout, "GLOBAL OPTIONS:");
        globals.Select(l => l.Trim().Split(' ')[0].TrimEnd(',')).Should().Equal(
            "--debug", "--log", "--log-format", "--root", "--criu", "--systemd-cgroup", "--rootless", "--help", "--version");
        AssertColumns(globals);

        var kill = CsrunCli.Run(new[] { "kill", "--help" });
        kill.ExitCode.Should().Be(0);
        kill.Stdout.Should().Be(CsrunCli.Run(new[] { "h", "kill" }).Stdout).And.Be(CsrunCli.Run(new[] { "help", "kill" }).Stdout);
        kill.Stdout.Should().Be(
            "NAME:\n   csrun kill - kill sends the specified signal (default: SIGTERM) to the container's init process\n\n" +
            "USAGE:\n   csrun kill [command options] <container-id> [signal]\n\n" +
            "OPTIONS:\n   --all, -a  send the specified signal to all processes inside the container\n");
    }

    static List<string> Section(string help, string title) =>
        help[(help.IndexOf("\n" + title + "\n") + title.Length + 2)..].Split('\n').TakeWhile(l => l.Length > 0).ToList();

    static void AssertColumns(List<string> lines)
    {
        // "   name  text": the text starts at one column, two spaces past the longest name.
        int longest = lines.Max(l => NameOf(l).Length);
        foreach (var l in lines) l[3..].IndexOf(Text(l)).Should().Be(longest + 2, l);
    }

    static string NameOf(string line)
    {
        string rest = line[3..];
        int gap = rest.IndexOf("  ");
        return rest[..gap];
    }

    static string Text(string line) => line[3..][NameOf(line).Length..].TrimStart();
}
