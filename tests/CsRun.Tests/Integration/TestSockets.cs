using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace CsRun.Tests.Integration;

/// <summary>Receiving an fd sent with SCM_RIGHTS, as conmon, a shim or a seccomp agent would.</summary>
internal static unsafe class TestSockets
{
    /// <summary>A listening AF_UNIX stream socket at <paramref name="path"/> (a console or pidfd socket).</summary>
    public static Socket Listen(string path, int backlog = 1)
    {
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen(backlog);
        return listener;
    }

    public static (byte[] Data, int Fd) ReceiveWithFd(int socket)
    {
        var data = new byte[65536];
        long* iov = stackalloc long[2];
        byte* control = stackalloc byte[64];
        long* msg = stackalloc long[7];
        fixed (byte* d = data)
        {
            iov[0] = (long)d;
            iov[1] = data.Length;
            msg[0] = 0; msg[1] = 0; msg[2] = (long)iov; msg[3] = 1; msg[4] = (long)control; msg[5] = 64; msg[6] = 0;
            long n = recvmsg(socket, msg, 0);
            if (n < 0 || msg[5] < 20 || *(int*)(control + 12) != 1 /*SCM_RIGHTS*/) return (Array.Empty<byte>(), -1);
            return (data[..(int)n], *(int*)(control + 16));
        }
    }

    [DllImport("libc")] static extern long recvmsg(int fd, long* msg, int flags);
}
