using CsRun.Linux;

namespace CsRun.Launch.Child;

/// <summary>
/// Before the uid change: stdio that is a pipe, a socket or a pseudoterminal is given to the
/// process user (uid only; the group stays, as runc's fixStdioPermissions does), so a non-root
/// process can reopen /dev/stdout or /proc/self/fd/1 (nginx-style images log there). A file
/// the caller gave as stdio (a regular file, /dev/null, a named fifo, any other device) is a
/// file of the host and keeps its owner: runc and crun chown those too.
/// </summary>
internal static unsafe class ChildStdio
{
    const long PipefsMagic = 0x50495045, SockfsMagic = 0x534F434B, DevptsMagic = 0x1cd1;
    const int PtmxMajor = 5;

    public static long FixOwner(uint uid)
    {
        byte* st = stackalloc byte[KStat.Size];
        byte* fs = stackalloc byte[120];
        for (int fd = 0; fd < 3; fd++)
        {
            long r = Libc.Raw(Nr.Fstat, fd, (long)st);
            if (r == -Errno.EBADF) continue; // not open: nothing to hand over
            if (r < 0) return r;
            r = Libc.Raw(Nr.Fstatfs, fd, (long)fs);
            if (r < 0) return r;
            if (!Handed(*(long*)fs, *(uint*)(st + KStat.Mode) & S.IfMt, *(ulong*)(st + KStat.Rdev))) continue;
            r = Libc.Raw(Nr.Fchown, fd, uid, uint.MaxValue);
            // EINVAL: the uid is not mapped here; EPERM: the owner is not (a user namespace).
            // runc leaves the stdio alone then, rather than fail.
            if (r < 0 && r != -Errno.EINVAL && r != -Errno.EPERM) return r;
        }
        return 0;
    }

    /// <summary>An anonymous pipe (pipefs, not a fifo on a filesystem), a socket, or a pty slave.</summary>
    static bool Handed(long fsType, uint type, ulong rdev)
    {
        ulong major = ((rdev >> 8) & 0xfff) | ((rdev >> 32) & ~0xfffUL);
        return fsType == PipefsMagic && type == S.IfIfo
            || fsType == SockfsMagic && type == S.IfSock
            || fsType == DevptsMagic && type == S.IfChr && major != PtmxMajor;
    }
}
