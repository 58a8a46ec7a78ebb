using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Integration;

/// <summary>
/// `exec` forks once more to land in the container's pid namespace, and both processes speak on
/// one sync socket. The parent must learn the new process's pid before anything else it says,
/// or it waits for the intermediate (which exits 0) instead: a probe would see success for a
/// process that failed. Seen here in 9 of 60 execs before the fix.
/// </summary>
public class ExecExitStatusTests
{
    [Fact]
    public void Exec_always_returns_the_process_exit_status()
    {
        using var b = new Bundle("sleep", "1000");
        var id = b.NewId();
        b.Csrun("run", "-d", "-b", b.Dir, id).ExitCode.Should().Be(0);
        for (int i = 0; i < 60; i++)
        {
            var r = b.Csrun("exec", id, "sh", "-c", "exit 3");
            r.ExitCode.Should().Be(3, $"exec {i}: {r}");
        }
    }
}
