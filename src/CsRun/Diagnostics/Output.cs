using System.Text;
using CsRun.Linux;

namespace CsRun.Diagnostics;

/// <summary>
/// stdout/stderr through write(2). System.Console is avoided on purpose: on Unix it installs
/// signal and terminal handlers (SIGCHLD, SIGCONT, SIGINT) and costs start-up time.
/// </summary>
internal static unsafe class Output
{
    public static void Out(string s) => Write(1, s);
    public static void OutLine(string s) => Write(1, s + "\n");
    public static void Err(string s) => Write(2, s);
    public static void ErrLine(string s) => Write(2, s + "\n");

    public static void Write(int fd, string s)
    {
        var bytes = Encoding.UTF8.GetBytes(s);
        WriteAll(fd, bytes);
    }

    public static bool WriteAll(int fd, ReadOnlySpan<byte> data)
    {
        fixed (byte* p = data)
        {
            int off = 0;
            while (off < data.Length)
            {
                long n = Libc.Sys(Nr.Write, fd, (long)(p + off), data.Length - off);
                if (n == -Errno.EINTR) continue;
                if (n < 0) return false;
                off += (int)n;
            }
        }
        return true;
    }
}
