using System.Runtime.InteropServices;
using System.Text;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Integration;

/// <summary>
/// A container with a terminal (create's --console-socket, as conmon and containerd's shim run
/// it) restored with --console-socket: CRIU makes a new pty master (orphan-pts-master), which
/// csrun hands over as create does, and the restored process goes on writing to it.
/// </summary>
public class CheckpointConsoleTests
{
    [CriuFact]
    public unsafe void Restore_hands_the_new_pty_master_to_the_console_socket()
    {
        using var b = new Bundle("sh", "-c", "i=0; while true; do i=$((i+1)); echo $i >> /count; echo tick-$i; sleep 0.1; done");
        b.Config.Root!.Readonly = false;
        b.Config.Process!.Terminal = true;
        string id = b.NewId("ckpt");
        string sock1 = Path.Combine(b.Dir, "c1.sock"), sock2 = Path.Combine(b.Dir, "c2.sock");
        using var l1 = TestSockets.Listen(sock1);
        var a1 = l1.AcceptAsync();
        var r = b.Csrun("run", "-d", "--console-socket", sock1, "-b", b.Dir, id);
        r.ExitCode.Should().Be(0, r.ToString());
        using var c1 = a1.Result;
        int master1 = TestSockets.ReceiveWithFd((int)c1.Handle).Fd;
        master1.Should().BeGreaterThan(0);
        try
        {
            ReadUntil(master1, "tick-5").Should().Contain("tick-5");
            string images = Path.Combine(b.Dir, "images");
            var ck = b.Csrun("--criu", CriuFact.Path, "checkpoint", "--image-path", images, id);
            ck.ExitCode.Should().Be(0, ck.ToString());
        }
        finally { close(master1); }
        int dumped = int.Parse(File.ReadAllLines(Path.Combine(b.Rootfs, "count")).Last(l => l.Length > 0));

        using var l2 = TestSockets.Listen(sock2);
        var a2 = l2.AcceptAsync();
        var rs = b.Csrun("--criu", CriuFact.Path, "restore", "-d", "--console-socket", sock2, "-b", b.Dir, "--image-path", Path.Combine(b.Dir, "images"), id);
        rs.ExitCode.Should().Be(0, rs.ToString());
        using var c2 = a2.Result;
        var (data, master2) = TestSockets.ReceiveWithFd((int)c2.Handle);
        master2.Should().BeGreaterThan(0);
        Encoding.ASCII.GetString(data).Should().Be("/dev/ptmx", "the same message create sends");
        try
        {
            string next = $"tick-{dumped + 3}";
            ReadUntil(master2, next).Should().Contain(next, "the restored process writes to the new terminal");
        }
        finally { close(master2); }
        b.Csrun("delete", "-f", id).ExitCode.Should().Be(0);
        Leftovers.AssertNone(b, id);
    }

    static unsafe string ReadUntil(int fd, string text)
    {
        var output = new StringBuilder();
        var buf = new byte[4096];
        var until = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < until && !output.ToString().Contains(text))
        {
            fixed (byte* p = buf)
            {
                long n = read(fd, p, buf.Length);
                if (n <= 0) break;
                output.Append(Encoding.ASCII.GetString(buf, 0, (int)n));
            }
        }
        return output.ToString();
    }

    [DllImport("libc")] static extern unsafe long read(int fd, byte* buf, long count);
    [DllImport("libc")] static extern int close(int fd);
}
