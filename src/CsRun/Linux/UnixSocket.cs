using System.Text;

namespace CsRun.Linux;

/// <summary>
/// A blocking AF_UNIX stream socket with poll(2) timeouts, for csrun's one-threaded D-Bus
/// client. Results are counts (or 0) on success and -errno on failure.
/// </summary>
internal static unsafe class UnixSocket
{
    const int AfUnix = 1, SockStream = 1, SockCloexec = 0x80000, MsgNosignal = 0x4000;
    const short PollIn = 1, PollOut = 4;

    /// <summary>A connected socket's fd, or -errno.</summary>
    public static int Connect(string path)
    {
        byte[] name = Encoding.UTF8.GetBytes(path);
        if (name.Length >= 108) return -Errno.ENAMETOOLONG;
        long fd = Libc.Sys(Nr.Socket, AfUnix, SockStream | SockCloexec, 0);
        if (fd < 0) return (int)fd;
        // struct sockaddr_un { sa_family_t sun_family; char sun_path[108]; }
        byte* addr = stackalloc byte[110];
        new Span<byte>(addr, 110).Clear();
        *(ushort*)addr = AfUnix;
        name.CopyTo(new Span<byte>(addr + 2, 108));
        long r = Libc.SysRetry(Nr.Connect, fd, (long)addr, 2 + name.Length + 1);
        if (r < 0)
        {
            Libc.Sys(Nr.Close, fd);
            return (int)r;
        }
        return (int)fd;
    }

    /// <summary>Sends all of data before the timeout. Returns 0 or -errno (-ETIMEDOUT).</summary>
    public static int SendAll(int fd, ReadOnlySpan<byte> data, int timeoutMs)
    {
        fixed (byte* p = data)
        {
            int off = 0;
            while (off < data.Length)
            {
                long n = Libc.Sys(Nr.Sendto, fd, (long)(p + off), data.Length - off, MsgNosignal, 0, 0);
                if (n == -Errno.EINTR) continue;
                if (n == -Errno.EAGAIN)
                {
                    int w = Wait(fd, PollOut, timeoutMs);
                    if (w < 0) return w;
                    continue;
                }
                if (n < 0) return (int)n;
                off += (int)n;
            }
        }
        return 0;
    }

    /// <summary>
    /// Reads what is there (at least one byte) into buf, waiting up to timeoutMs for it.
    /// Returns the count, 0 at end of stream, or -errno (-ETIMEDOUT when nothing came).
    /// </summary>
    public static int Receive(int fd, Span<byte> buf, int timeoutMs)
    {
        int w = Wait(fd, PollIn, timeoutMs);
        if (w < 0) return w;
        fixed (byte* p = buf)
        {
            return (int)Libc.SysRetry(Nr.Recvfrom, fd, (long)p, buf.Length, 0, 0, 0);
        }
    }

    static int Wait(int fd, short events, int timeoutMs)
    {
        long pfd = 0;
        *(int*)&pfd = fd;
        ((short*)&pfd)[2] = events;
        long deadline = Environment.TickCount64 + Math.Max(timeoutMs, 0);
        while (true)
        {
            int left = (int)Math.Max(deadline - Environment.TickCount64, 0);
            long n = Portable.Poll(&pfd, 1, left);
            if (n > 0) return 0;      // ready, or an error/hang-up the next call reports
            if (n == 0) return -Errno.ETIMEDOUT;
            if (n != -Errno.EINTR) return (int)n;
        }
    }

    public static void Close(int fd)
    {
        if (fd >= 0) Libc.Sys(Nr.Close, fd);
    }
}
