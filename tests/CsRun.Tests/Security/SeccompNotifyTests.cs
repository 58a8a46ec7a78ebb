using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text.Json;
using CsRun.Tests.Integration;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Security;

/// <summary>
/// SCMP_ACT_NOTIFY with linux.seccomp.listenerPath: csrun hands the listener fd and the container
/// state to a listener of our own, which answers the notified syscall.
/// </summary>
public class SeccompNotifyTests
{
    const uint NotifRecv = 0xC0502100, NotifSend = 0xC0182101;
    const int Enolink = 67;

    [Fact]
    public unsafe void A_listener_receives_the_fd_and_answers_the_notified_syscall()
    {
        using var b = new Bundle("sh", "-c", "mkdir /tmp/notified; ls /tmp | grep -c notified; true");
        b.Config.Root!.Readonly = false;
        string path = Path.Combine(b.Dir, "listener.sock");
        b.Config.Linux!.Seccomp = new()
        {
            DefaultAction = "SCMP_ACT_ALLOW",
            ListenerPath = path,
            ListenerMetadata = "test-metadata",
            Syscalls = new() { new() { Names = new() { "mkdir", "mkdirat" }, Action = "SCMP_ACT_NOTIFY" } },
        };
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen(1);
        string? state = null;
        int answered = 0;
        var server = Task.Run(() =>
        {
            using var conn = listener.Accept();
            var (json, fd) = TestSockets.ReceiveWithFd((int)conn.Handle);
            state = System.Text.Encoding.UTF8.GetString(json);
            // Answer every notification with ENOLINK until the filter goes away.
            byte* req = stackalloc byte[80];
            byte* resp = stackalloc byte[24];
            while (Poll(fd, 10_000))
            {
                new Span<byte>(req, 80).Clear();
                if (ioctl(fd, NotifRecv, req) != 0) break;
                new Span<byte>(resp, 24).Clear();
                *(ulong*)resp = *(ulong*)req;   // id
                *(int*)(resp + 16) = -Enolink;  // error
                if (ioctl(fd, NotifSend, resp) == 0) answered++;
            }
            close(fd);
        });
        var r = b.Run();
        server.Wait(TimeSpan.FromSeconds(20)).Should().BeTrue("the listener ends when the container's filter is gone");
        r.ExitCode.Should().Be(0, r.ToString());
        r.Stderr.Should().Contain("Link has been severed", "the listener's answer is what mkdir saw");
        r.Stdout.Trim().Should().Be("0", "the notified mkdir never ran");
        answered.Should().BeGreaterThan(0);
        var s = JsonDocument.Parse(state!).RootElement;
        s.GetProperty("fds")[0].GetString().Should().Be("seccompFd");
        s.GetProperty("metadata").GetString().Should().Be("test-metadata");
        s.GetProperty("state").GetProperty("bundle").GetString().Should().Be(b.Dir);
        s.GetProperty("pid").GetInt32().Should().BeGreaterThan(0);
    }

    static unsafe bool Poll(int fd, int timeoutMs)
    {
        long pfd = 0;
        *(int*)&pfd = fd;
        ((short*)&pfd)[2] = 1;
        int n = poll(&pfd, 1, timeoutMs);
        return n > 0 && (((short*)&pfd)[3] & 1) != 0;
    }

    /// <summary>runc 1.1.5: "failed to connect with seccomp agent specified in the seccomp
    /// profile: dial unix PATH: connect: no such file or directory", exit 1, nothing left.</summary>
    [Fact]
    public void A_listener_path_nobody_listens_on_fails_the_run_and_leaves_nothing()
    {
        using var b = new Bundle("true");
        string path = Path.Combine(b.Dir, "nobody.sock");
        b.Config.Linux!.Seccomp = new()
        {
            DefaultAction = "SCMP_ACT_ALLOW",
            ListenerPath = path,
            Syscalls = new() { new() { Names = new() { "mkdir", "mkdirat" }, Action = "SCMP_ACT_NOTIFY" } },
        };
        var id = b.NewId();
        var r = b.Csrun("run", "-b", b.Dir, id);
        r.ExitCode.Should().Be(1, r.ToString());
        r.Stderr.Trim().Should().Be($"csrun run failed: linux.seccomp.listenerPath: connect {path}: no such file or directory");
        Leftovers.AssertNone(b, id);
    }

    [DllImport("libc")] static extern unsafe int ioctl(int fd, uint request, byte* arg);
    [DllImport("libc")] static extern unsafe int poll(long* fds, int n, int timeout);
    [DllImport("libc")] static extern int close(int fd);
}
