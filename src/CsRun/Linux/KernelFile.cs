using System.Text;

namespace CsRun.Linux;

/// <summary>
/// Kernel pseudo-files (cgroupfs, procfs) and directories, with the errno kept: callers act on
/// it (EBUSY, EINVAL, ENOENT) and print it in runc's words. Every result is 0 (or a count) on
/// success and -errno on failure. For the parent process only: these calls allocate.
/// </summary>
internal static unsafe class KernelFile
{
    /// <summary>
    /// Writes the value with ONE write(2): a cgroup file parses each write as one value, so a
    /// value split over two writes would be two (wrong) values.
    /// </summary>
    public static int Write(string path, string value)
    {
        int fd = OpenForWrite(path);
        if (fd < 0) return fd;
        int r = WriteValue(fd, value);
        Libc.Sys(Nr.Close, fd);
        return r;
    }

    /// <summary>An fd for several values written one by one (<see cref="WriteValue"/>), or -errno.</summary>
    public static int OpenForWrite(string path) => Open(path, O.WrOnly);

    /// <summary>One value, one write(2), on an fd from <see cref="OpenForWrite"/>: 0 or -errno.</summary>
    public static int WriteValue(int fd, string value)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(value);
        long n;
        fixed (byte* p = bytes) n = Libc.SysRetry(Nr.Write, fd, (long)p, bytes.Length);
        return n < 0 ? (int)n : 0;
    }

    /// <summary>Reads the whole file (procfs and cgroupfs report size 0, so read to EOF).</summary>
    public static int Read(string path, out string text)
    {
        text = "";
        int fd = Open(path, O.RdOnly);
        if (fd < 0) return fd;
        // Nearly every kernel file fits the stack buffer; a bigger one moves to the heap.
        Span<byte> buf = stackalloc byte[4096];
        int len = 0;
        try
        {
            while (true)
            {
                if (len == buf.Length)
                {
                    var bigger = new byte[buf.Length * 2];
                    buf.CopyTo(bigger);
                    buf = bigger;
                }
                long n;
                fixed (byte* p = buf) n = Libc.Sys(Nr.Read, fd, (long)(p + len), buf.Length - len);
                if (n == -Errno.EINTR) continue;
                if (n < 0) return (int)n;
                if (n == 0) break;
                len += (int)n;
            }
        }
        finally
        {
            Libc.Sys(Nr.Close, fd);
        }
        text = Encoding.UTF8.GetString(buf[..len]);
        return 0;
    }

    public static int Mkdir(string path, int mode)
    {
        fixed (byte* p = CString(path)) return (int)Libc.Sys(Nr.Mkdirat, O.AtFdCwd, (long)p, mode);
    }

    public static int Rmdir(string path)
    {
        fixed (byte* p = CString(path)) return (int)Libc.Sys(Nr.Unlinkat, O.AtFdCwd, (long)p, O.AtRemoveDir);
    }

    public static bool Exists(string path)
    {
        fixed (byte* p = CString(path)) return Libc.Sys(Nr.Faccessat, O.AtFdCwd, (long)p, 0 /* F_OK */) == 0;
    }

    /// <summary>statfs(2) f_type (see <see cref="Magic"/>), or -errno.</summary>
    public static long FsType(string path)
    {
        long* buf = stackalloc long[16]; // struct statfs is 120 bytes on x86_64 and arm64; f_type comes first
        fixed (byte* p = CString(path))
        {
            long r = Libc.Sys(Nr.Statfs, (long)p, (long)buf);
            return r < 0 ? r : buf[0];
        }
    }

    static int Open(string path, int flags)
    {
        fixed (byte* p = CString(path))
        {
            return (int)Libc.SysRetry(Nr.Openat, O.AtFdCwd, (long)p, flags | O.CloExec);
        }
    }

    static byte[] CString(string s)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(s) + 1];
        Encoding.UTF8.GetBytes(s, bytes);
        return bytes;
    }
}
