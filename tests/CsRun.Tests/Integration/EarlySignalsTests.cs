using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using CsRun.Container;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Integration;

/// <summary>
/// The binary blocks the forwarded signals before the runtime starts (src/native/early_signals.c):
/// `run` then needs no finalizer-thread trick, and every other command still dies of them.
/// </summary>
public class EarlySignalsTests
{
    static readonly Dictionary<string, int> Numbers = new()
    {
        ["SIGHUP"] = 1, ["SIGINT"] = 2, ["SIGQUIT"] = 3, ["SIGABRT"] = 6, ["SIGUSR1"] = 10, ["SIGUSR2"] = 12,
        ["SIGALRM"] = 14, ["SIGTERM"] = 15, ["SIGCONT"] = 18, ["SIGTSTP"] = 20, ["SIGTTIN"] = 21, ["SIGTTOU"] = 22,
        ["SIGURG"] = 23, ["SIGXCPU"] = 24, ["SIGXFSZ"] = 25, ["SIGVTALRM"] = 26, ["SIGPROF"] = 27, ["SIGWINCH"] = 28,
        ["SIGIO"] = 29, ["SIGPWR"] = 30, ["SIGSYS"] = 31,
    };

    [Fact]
    public void The_native_list_is_the_forwarded_list()
    {
        string c = File.ReadAllText(Path.Combine(TestHost.RepoRoot, "src/native/early_signals.c"));
        string list = Regex.Match(c, @"forwarded\[\] = \{([^}]*)\}").Groups[1].Value;
        var names = Regex.Matches(list, @"SIG[A-Z0-9]+").Select(m => Numbers[m.Value]).ToArray();
        names.Should().Equal(SignalForwarder.Forwarded);
    }

    [Fact]
    public void Every_thread_of_a_foreground_run_blocks_the_forwarded_signals()
    {
        using var b = new Bundle("sleep", "30");
        var id = b.NewId();
        b.Save();
        using var csrun = Process.Start(new ProcessStartInfo("/bin/sh", new[] { "-c", $"exec {TestHost.Csrun} --root {b.StateRoot} run -b {b.Dir} {id} >/dev/null 2>&1 </dev/null" }))!;
        try
        {
            LifecycleTests.WaitFor(() => b.Csrun("state", id).Stdout.Contains("running"), timeoutMs: 60_000);
            var threads = Directory.GetDirectories($"/proc/{csrun.Id}/task");
            threads.Length.Should().BeGreaterThan(1, "the runtime runs a finalizer thread");
            foreach (var task in threads)
                (Blocked(task) & SignalForwarder.ForwardedMask).Should().Be(SignalForwarder.ForwardedMask, File.ReadAllText(task + "/comm"));
        }
        finally
        {
            // sleep, the container's pid 1, ignores the TERM csrun forwards: kill it instead.
            b.Csrun("kill", id, "KILL");
            csrun.WaitForExit(10_000).Should().BeTrue();
        }
        Leftovers.AssertNone(b, id);
    }

    [Fact]
    public void A_command_that_forwards_nothing_still_dies_of_SIGTERM_while_its_runtime_threads_block_it()
    {
        using var b = new Bundle("sleep", "30");
        var id = b.NewId();
        b.Csrun("run", "-d", "-b", b.Dir, id).ExitCode.Should().Be(0);
        using var events = Process.Start(new ProcessStartInfo("/bin/sh", new[] { "-c", $"exec {TestHost.Csrun} --root {b.StateRoot} events --interval 1s {id} >/dev/null 2>&1 </dev/null" }))!;
        try
        {
            LifecycleTests.WaitFor(() => File.Exists($"/proc/{events.Id}/status") && Blocked($"/proc/{events.Id}/task/{events.Id}") == 0
                && File.ReadAllText($"/proc/{events.Id}/comm").StartsWith("csrun"), timeoutMs: 10_000);
            // The runtime's own threads were born with the signals blocked, before Main ran.
            foreach (var task in Directory.GetDirectories($"/proc/{events.Id}/task").Where(t => Path.GetFileName(t) != events.Id.ToString()))
                (Blocked(task) & SignalForwarder.ForwardedMask).Should().Be(SignalForwarder.ForwardedMask, File.ReadAllText(task + "/comm"));
            Thread.Sleep(200);
            kill(events.Id, 15);
            events.WaitForExit(10_000).Should().BeTrue("SIGTERM's default action must still end the command");
            events.ExitCode.Should().Be(143);
        }
        finally
        {
            if (!events.HasExited) events.Kill();
            b.Csrun("delete", "-f", id);
        }
    }

    static ulong Blocked(string task) =>
        Convert.ToUInt64(File.ReadLines(task + "/status").First(l => l.StartsWith("SigBlk:"))["SigBlk:".Length..].Trim(), 16);

    [DllImport("libc")]
    static extern int kill(int pid, int sig);
}
