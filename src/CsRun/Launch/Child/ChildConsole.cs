using CsRun.Linux;

namespace CsRun.Launch.Child;

/// <summary>
/// process.terminal: open a pseudoterminal in the container's devpts, send the master to the
/// console socket (SCM_RIGHTS, runc's protocol), make the slave the controlling terminal and
/// stdio, and bind it over /dev/console.
/// </summary>
internal static unsafe class ChildConsole
{
    const int Tiocsptlck = 0x40045431, Tiocgptpeer = 0x5441, Tiocsctty = 0x540E, Tiocswinsz = 0x5414;

    public static long Setup(ChildContext* ctx, int socket, long rows, long cols, long owner)
    {
        long master = Libc.Raw(Nr.Openat, O.AtFdCwd, (long)"/dev/ptmx\0"u8.AsPointerUnsafe(), O.RdWr | O.NoCtty | O.CloExec);
        if (master < 0) return master;
        int unlock = 0;
        long r = Libc.Raw(Nr.Ioctl, master, Tiocsptlck, (long)&unlock);
        long slave = r < 0 ? r : Libc.Raw(Nr.Ioctl, master, Tiocgptpeer, O.RdWr | O.NoCtty | O.CloExec);
        if (slave < 0) { Libc.Raw(Nr.Close, master); return slave; }
        if (rows > 0 || cols > 0)
        {
            ushort* ws = stackalloc ushort[4];
            ws[0] = (ushort)rows; ws[1] = (ushort)cols; ws[2] = 0; ws[3] = 0;
            Libc.Raw(Nr.Ioctl, slave, Tiocswinsz, (long)ws);
        }
        if (owner != -1) Libc.Raw(Nr.Fchown, slave, (uint)(owner >> 32), (uint)owner);
        r = SendFd(socket, (int)master);
        Libc.Raw(Nr.Close, master);
        Libc.Raw(Nr.Close, socket);
        if (r < 0) { Libc.Raw(Nr.Close, slave); return r; }
        r = BindConsole(ctx, (int)slave);
        if (r == 0) r = Libc.Raw(Nr.Ioctl, slave, Tiocsctty, 0);
        for (int fd = 0; r >= 0 && fd < 3; fd++) r = Libc.Raw(Nr.Dup3, slave, fd, 0);
        Libc.Raw(Nr.Close, slave);
        return r < 0 ? r : 0;
    }

    /// <summary>/dev/console is the terminal too; made in the root, never through a link (CVE-2025-52565).</summary>
    static long BindConsole(ChildContext* ctx, int slave)
    {
        if (ctx->RootFd < 0) return 0; // exec: the container's /dev/console is the init's
        long path = (long)"dev/console\0"u8.AsPointerUnsafe();
        long r = ChildFs.CreateInRoot(ctx->RootFd, path, false);
        if (r < 0) return r;
        Libc.Raw(Nr.Close, r);
        long target = ChildFs.OpenInRoot(ctx->RootFd, path, O.Path | O.NoFollow);
        if (target < 0) return target;
        long type = ChildFs.TypeOf(target);
        r = type < 0 ? type : type == S.IfLnk ? -ChildErrors.TargetIsSymlink : 0;
        byte* src = stackalloc byte[32];
        byte* dst = stackalloc byte[32];
        ChildFs.ProcFdPath(src, slave);
        ChildFs.ProcFdPath(dst, (int)target);
        if (r == 0) r = Libc.Raw(Nr.Mount, (long)src, (long)dst, 0, (long)Ms.Bind, 0);
        Libc.Raw(Nr.Close, target);
        return r < 0 ? r : 0;
    }

    /// <summary>sendmsg with the fd in SCM_RIGHTS and its name as data, as runc's utils.SendFile does.</summary>
    public static long SendFd(int socket, int fd)
    {
        ReadOnlySpan<byte> name = "/dev/ptmx"u8;
        byte* data = stackalloc byte[16];
        for (int i = 0; i < name.Length; i++) data[i] = name[i];
        return SendWithFd(socket, data, name.Length, fd);
    }

    /// <summary>One sendmsg: <paramref name="length"/> bytes of data and one fd in SCM_RIGHTS.</summary>
    public static long SendWithFd(int socket, byte* data, int length, int fd)
    {
        long* iov = stackalloc long[2];
        iov[0] = (long)data;
        iov[1] = length;
        // struct cmsghdr { size_t len; int level; int type; } + one int, padded to 8.
        byte* control = stackalloc byte[24];
        *(long*)control = 20;
        *(int*)(control + 8) = 1;  // SOL_SOCKET
        *(int*)(control + 12) = 1; // SCM_RIGHTS
        *(int*)(control + 16) = fd;
        *(int*)(control + 20) = 0;
        // struct msghdr { name, namelen, iov, iovlen, control, controllen, flags }
        long* msg = stackalloc long[7];
        msg[0] = 0; msg[1] = 0; msg[2] = (long)iov; msg[3] = 1; msg[4] = (long)control; msg[5] = 24; msg[6] = 0;
        long r = Libc.Raw(Nr.Sendmsg, socket, (long)msg, SyncChannel.MsgNoSignal);
        return r < 0 ? r : 0;
    }
}
