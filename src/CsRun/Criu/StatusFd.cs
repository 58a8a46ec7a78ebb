using CsRun.Diagnostics;
using CsRun.Errors;
using CsRun.Linux;

namespace CsRun.Criu;

/// <summary>
/// checkpoint --status-fd: the caller's fd that gets one '\0' once CRIU's lazy-pages server
/// listens, then is closed (runc's semantics). CRIU says so with the status-ready notification
/// (CRIU 3.15+, which runc uses too there); the fd itself is never handed to CRIU.
/// </summary>
internal static unsafe class StatusFd
{
    /// <summary>The flag's fd, checked open and writable as runc checks it.</summary>
    public static int Parse(string value)
    {
        if (!int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int fd))
            throw new RuntimeError($"--status-fd {value}: not a file descriptor number");
        long flags = Libc.Sys(Nr.Fcntl, fd, 3 /*F_GETFL*/);
        if (flags < 0) throw new RuntimeError($"invalid --status-fd argument {fd}: {Errno.Message((int)-flags)}");
        if ((flags & 3 /*O_ACCMODE*/) == 0 /*O_RDONLY*/) throw new RuntimeError($"invalid --status-fd argument {fd}: not writable");
        return fd;
    }

    /// <summary>Writes the '\0' and closes the fd; a reader gone is only a warning (runc alike).</summary>
    public static void Ready(int fd)
    {
        byte zero = 0;
        long r;
        r = Libc.SysRetry(Nr.Write, fd, (long)&zero, 1);
        if (r < 0) Log.Warn($"--status-fd {fd}: write: {Errno.Message((int)-r)}");
        Files.Close(fd);
    }
}
