using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Integration;

/// <summary>
/// Terminals are not implemented: `create --console-socket` (podman run -t, ctr run -t) must fail
/// at once with a message saying so, not succeed and leave the caller waiting for a pty.
/// </summary>
public class ConsoleSocketTests
{
    [Theory]
    [InlineData("create")]
    [InlineData("run")]
    public void Console_socket_is_refused_with_a_clear_message(string command)
    {
        using var b = new Bundle("true");
        var id = b.NewId();
        var r = b.Csrun(command, "--console-socket", Path.Combine(b.Dir, "console.sock"), "-b", b.Dir, id);
        r.ExitCode.Should().Be(1, r.ToString());
        r.Stderr.Should().Contain("--console-socket: terminals (process.terminal) are not supported yet");
        Leftovers.AssertNone(b, id);
    }
}
