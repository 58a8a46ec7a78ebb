using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Integration;

/// <summary>
/// Socket activation as runc does it: with $LISTEN_PID csrun's own pid, the $LISTEN_FDS fds from
/// 3 go to the container, whose process.env gets LISTEN_FDS=n and LISTEN_PID=1; with another
/// pid they were meant for someone else and are neither passed nor announced.
/// </summary>
public class SocketActivationTests
{
    static CliResult RunActivated(Bundle b, string listenPid, string id)
    {
        b.Save();
        string file = Path.Combine(b.Dir, "activation-fd");
        File.WriteAllText(file, "hello\n");
        string script = $"LISTEN_PID={listenPid} LISTEN_FDS=1 exec \"$0\" --root '{b.StateRoot}' run -b '{b.Dir}' {id} 3<'{file}'";
        return CsrunCli.RunProgram("/bin/sh", new[] { "-c", script, TestHost.Csrun });
    }

    const string Probe = "env | grep ^LISTEN_ | sort; cat <&3 2>/dev/null || echo no-fd-3";

    [Theory]
    [InlineData("$$", "LISTEN_FDS=1\nLISTEN_PID=1\nhello\n")] // meant for csrun: passed and announced
    [InlineData("1", "no-fd-3\n")] // meant for another process: left alone
    public void Listen_fds_are_passed_only_when_listen_pid_is_csrun(string listenPid, string expected)
    {
        using var b = new Bundle("sh", "-c", Probe);
        var r = RunActivated(b, listenPid, b.NewId("sa"));
        r.ExitCode.Should().Be(0, r.ToString());
        r.Stdout.Should().Be(expected);
    }
}
