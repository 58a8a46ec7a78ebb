using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Integration;

/// <summary>`csrun run` end to end: output, exit codes, and a clean host afterwards.</summary>
public class RunTests
{
    [Fact]
    public void Run_prints_the_container_output_and_exits_zero()
    {
        using var b = new Bundle("echo", "hello from csrun");
        var id = b.NewId();
        var r = b.Csrun("run", "-b", b.Dir, id);
        r.ExitCode.Should().Be(0, r.ToString());
        r.Stdout.Should().Be("hello from csrun\n");
        Leftovers.AssertNone(b, id);
    }

    [Theory]
    [InlineData("exit 3", 3)]
    [InlineData("kill -KILL $$", 137)]
    [InlineData("kill -TERM $$; sleep 1", 143)]
    public void Run_exits_with_the_container_status_or_128_plus_signal(string script, int expected)
    {
        using var b = new Bundle("sh", "-c", script);
        // Outside a pid namespace, so the shell is not pid 1 (which ignores signals it has no handler for).
        b.Config.Linux!.Namespaces!.RemoveAll(n => n.Type == "pid");
        var r = b.Run();
        r.ExitCode.Should().Be(expected, r.ToString());
    }

    [Fact]
    public void Missing_executable_fails_create_like_runc_and_leaves_nothing()
    {
        using var b = new Bundle("no-such-binary");
        var id = b.NewId();
        var r = b.Csrun("run", "-b", b.Dir, id);
        r.ExitCode.Should().Be(1);
        r.Stderr.Should().Contain("exec: \"no-such-binary\": executable file not found in $PATH");
        Leftovers.AssertNone(b, id);
    }

    [Fact]
    public void Detached_run_leaves_a_running_container_that_delete_force_removes()
    {
        using var b = new Bundle("sleep", "100");
        var id = b.NewId();
        b.Csrun("run", "-d", "-b", b.Dir, id).ExitCode.Should().Be(0);
        b.Csrun("state", id).Stdout.Should().Contain("\"status\": \"running\"");
        b.Csrun("delete", "-f", id).ExitCode.Should().Be(0);
        Leftovers.AssertNone(b, id);
    }

    [Fact]
    public void Run_forwards_signals_it_receives_to_the_container()
    {
        using var b = new Bundle("sh", "-c", "trap 'echo got TERM; exit 5' TERM; while true; do sleep 0.05; done");
        var id = b.NewId();
        b.Save();
        string output = Path.Combine(b.Dir, "out");
        var psi = new System.Diagnostics.ProcessStartInfo("/bin/sh", new[] { "-c", $"exec {TestHost.Csrun} --root {b.StateRoot} run -b {b.Dir} {id} > {output} 2>&1 </dev/null" });
        using var csrun = System.Diagnostics.Process.Start(psi)!;
        LifecycleTests.WaitFor(() => b.Csrun("state", id).Stdout.Contains("running"), timeoutMs: 60_000);
        Thread.Sleep(100);
        kill(csrun.Id, 15);
        csrun.WaitForExit(10_000).Should().BeTrue();
        csrun.ExitCode.Should().Be(5, File.ReadAllText(output));
        File.ReadAllText(output).Should().Contain("got TERM");
        Leftovers.AssertNone(b, id);
    }

    [Fact]
    public void Run_with_a_terminal_holds_the_pty_and_copies_its_output()
    {
        using var b = new Bundle("sh", "-c", "tty; readlink /proc/self/fd/1");
        b.Config.Process!.Terminal = true;
        var id = b.NewId();
        b.Save();
        // script(1) gives csrun a terminal of its own, as a person's shell would.
        var psi = new System.Diagnostics.ProcessStartInfo("script", new[] { "-qec", $"{TestHost.Csrun} --root {b.StateRoot} run -b {b.Dir} {id}", "/dev/null" })
        { RedirectStandardOutput = true, RedirectStandardInput = true };
        using var p = System.Diagnostics.Process.Start(psi)!;
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit(10_000).Should().BeTrue();
        p.ExitCode.Should().Be(0, output);
        output.Should().Contain("/dev/pts/0").And.NotContain("not a tty");
        Leftovers.AssertNone(b, id);
    }

    [Fact]
    public void Create_with_a_terminal_needs_a_console_socket()
    {
        using var b = new Bundle("true");
        b.Config.Process!.Terminal = true;
        var id = b.NewId();
        var r = b.Csrun("create", "-b", b.Dir, id);
        r.ExitCode.Should().Be(1);
        r.Stderr.Should().Contain("process.terminal: cannot allocate tty if csrun will detach without setting console socket");
        Leftovers.AssertNone(b, id);
    }

    [System.Runtime.InteropServices.DllImport("libc")]
    static extern int kill(int pid, int sig);
}
