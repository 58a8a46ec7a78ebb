using System.Text;
using CsRun.Errors;

namespace CsRun.Linux;

/// <summary>AF_UNIX helpers for the parent: the console socket a caller gives us, and fd passing.</summary>
internal static unsafe class UnixSockets
{
    public static int Connect(string path, string what)
    {
        long fd = Libc.Sys(Nr.Socket, 1 /*AF_UNIX*/, 1 /*SOCK_STREAM*/ | O.CloExec, 0);
        if (fd < 0) throw new RuntimeError($"{what}: socket: {Errno.Message((int)-fd)}");
        // struct sockaddr_un { sa_family_t; char sun_path[108]; }
        byte* addr = stackalloc byte[110];
        new Span<byte>(addr, 110).Clear();
        *(ushort*)addr = 1;
        var bytes = Encoding.UTF8.GetBytes(path);
        if (bytes.Length >= 108) throw new RuntimeError($"{what}: {path}: path too long for a unix socket");
        bytes.CopyTo(new Span<byte>(addr + 2, 108));
        long r = Libc.SysRetry(Nr.Connect, fd, (long)addr, 110);
        if (r < 0)
        {
            Libc.Sys(Nr.Close, fd);
            throw new RuntimeError($"{what}: connect {path}: {Errno.Message((int)-r)}");
        }
        return (int)fd;
    }

    /// <summary>Receive one fd sent with SCM_RIGHTS; -errno on failure.</summary>
    public static int ReceiveFd(int socket)
    {
        byte* data = stackalloc byte[256];
        long* iov = stackalloc long[2];
        iov[0] = (long)data;
        iov[1] = 256;
        byte* control = stackalloc byte[64];
        long* msg = stackalloc long[7];
        msg[0] = 0; msg[1] = 0; msg[2] = (long)iov; msg[3] = 1; msg[4] = (long)control; msg[5] = 64; msg[6] = 0;
        long r = Libc.SysRetry(Nr.Recvmsg, socket, (long)msg, 0x40000000 /*MSG_CMSG_CLOEXEC*/);
        if (r < 0) return (int)r;
        if (msg[5] < 20 || *(int*)(control + 8) != 1 || *(int*)(control + 12) != 1) return -Errno.EINVAL;
        return *(int*)(control + 16);
    }

    /// <summary>One sendmsg: <paramref name="data"/> and <paramref name="fds"/> (at most
    /// <see cref="MaxFds"/>) in one SCM_RIGHTS message; 0 or -errno.</summary>
    public static int SendFds(int socket, ReadOnlySpan<byte> data, ReadOnlySpan<int> fds)
    {
        if (fds.Length == 0 || fds.Length > MaxFds) return -Errno.EINVAL;
        // struct cmsghdr { size_t len; int level; int type; } + the fds, padded to 8.
        int space = 16 + (fds.Length * sizeof(int) + 7) / 8 * 8;
        byte* control = stackalloc byte[16 + MaxFds * sizeof(int)];
        *(long*)control = 16 + fds.Length * sizeof(int);
        *(int*)(control + 8) = 1;  // SOL_SOCKET
        *(int*)(control + 12) = 1; // SCM_RIGHTS
        for (int i = 0; i < fds.Length; i++) ((int*)(control + 16))[i] = fds[i];
        if (fds.Length % 2 == 1) ((int*)(control + 16))[fds.Length] = 0;
        long* iov = stackalloc long[2];
        long* msg = stackalloc long[7];
        long r;
        fixed (byte* d = data)
        {
            iov[0] = (long)d;
            iov[1] = data.Length;
            msg[0] = 0; msg[1] = 0; msg[2] = (long)iov; msg[3] = 1; msg[4] = (long)control; msg[5] = space; msg[6] = 0;
            r = Libc.SysRetry(Nr.Sendmsg, socket, (long)msg, 0x4000 /*MSG_NOSIGNAL*/);
        }
        return r < 0 ? (int)r : 0;
    }

    /// <summary>Fds per SCM_RIGHTS message here (the kernel takes up to 253).</summary>
    public const int MaxFds = 64;
}
