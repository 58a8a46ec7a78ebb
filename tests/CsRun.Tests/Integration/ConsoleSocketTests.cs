using System.Runtime.InteropServices;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Integration;

/// <summary>
/// `create --console-socket` (what conmon and containerd's shim do for a tty): csrun sends the
/// pty master over the socket with SCM_RIGHTS; the container's stdio is the slave.
/// </summary>
public class ConsoleSocketTests
{
    [Fact]
    public unsafe void The_pty_master_arrives_on_the_console_socket_and_carries_the_output()
    {
        using var b = new Bundle("sh", "-c", "tty; echo hello-from-the-pty; sleep 1");
        b.Config.Process!.Terminal = true;
        b.Config.Process.ConsoleSize = new() { Height = 33, Width = 101 };
        b.Config.Process.Args = new() { "sh", "-c", "tty; stty size; echo hello-from-the-pty; sleep 1" };
        File.CreateSymbolicLink(Path.Combine(b.Rootfs, "bin", "stty"), "busybox");
        var id = b.NewId();
        string path = Path.Combine(b.Dir, "console.sock");
        using var listener = TestSockets.Listen(path);
        var accepted = listener.AcceptAsync();

        var r = b.Csrun("create", "--console-socket", path, "-b", b.Dir, id);
        r.ExitCode.Should().Be(0, r.ToString());
        using var conn = accepted.Result;
        int master = TestSockets.ReceiveWithFd((int)conn.Handle).Fd;
        master.Should().BeGreaterThan(0);
        b.Csrun("start", id).ExitCode.Should().Be(0);

        var output = new List<byte>();
        var buf = new byte[4096];
        var until = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < until && !System.Text.Encoding.ASCII.GetString(output.ToArray()).Contains("hello-from-the-pty"))
        {
            fixed (byte* p = buf)
            {
                long n = read(master, p, buf.Length);
                if (n <= 0) break;
                output.AddRange(buf.Take((int)n));
            }
        }
        close(master);
        string text = System.Text.Encoding.ASCII.GetString(output.ToArray());
        text.Should().Contain("/dev/pts/0").And.Contain("33 101").And.Contain("hello-from-the-pty");
    }

    [DllImport("libc")] static extern unsafe long read(int fd, byte* buf, long count);
    [DllImport("libc")] static extern int close(int fd);
}
