using CsRun.Linux;

namespace CsRun.Launch.Child;

/// <summary>
/// Mount option tmpcopyup: a tmpfs mounted on a directory of the image starts with that
/// directory's content (runc and crun do the same). An fd of the directory is opened before
/// the mount covers it; afterwards every entry is copied from it into the new tmpfs, with fd-
/// relative calls only: nothing is followed (O_NOFOLLOW, AT_SYMLINK_NOFOLLOW; a symlink is
/// copied as a symlink), names come from getdents and hold no '/'. Regular files, directories,
/// symlinks, device nodes, fifos and sockets keep their mode, owner and times. Child code: raw
/// system calls and stack buffers only.
/// </summary>
internal static unsafe class ChildCopyUp
{
    /// <summary>Directories deeper than this fail with ELOOP (each level holds a getdents buffer on the stack).</summary>
    const int MaxDepth = 128;
    const int DirentBuffer = 4096;

    public static long MountOnTarget(ChildContext* ctx, long source, long fstype, long flags, long data)
    {
        long from = Libc.Raw(Nr.Openat, ctx->TargetFd, (long)".\0"u8.AsPointerUnsafe(), O.RdOnly | O.Directory | O.CloExec);
        if (from < 0) return from;
        long r = ChildFs.MountOnTarget(ctx, source, fstype, flags, data);
        if (r == 0)
        {
            long to = Libc.Raw(Nr.Openat, ctx->TargetFd, (long)".\0"u8.AsPointerUnsafe(), O.RdOnly | O.Directory | O.CloExec);
            if (to < 0) r = to;
            else
            {
                r = CopyTree((int)from, (int)to, 0);
                Libc.Raw(Nr.Close, to);
            }
        }
        Libc.Raw(Nr.Close, from);
        return r;
    }

    static long CopyTree(int from, int to, int depth)
    {
        if (depth >= MaxDepth) return -Errno.ELOOP;
        byte* buf = stackalloc byte[DirentBuffer];
        while (true)
        {
            long n = Libc.Raw(Nr.Getdents64, from, (long)buf, DirentBuffer);
            if (n < 0) return n;
            if (n == 0) return 0;
            for (long off = 0; off < n;)
            {
                // struct linux_dirent64: d_ino, d_off, d_reclen (u16), d_type (u8), d_name.
                ushort reclen = *(ushort*)(buf + off + 16);
                byte* name = buf + off + 19;
                off += reclen;
                if (name[0] == '.' && (name[1] == 0 || (name[1] == '.' && name[2] == 0))) continue;
                long r = CopyEntry(from, to, name, depth);
                if (r < 0) return r;
            }
        }
    }

    static long CopyEntry(int from, int to, byte* name, int depth)
    {
        byte* st = stackalloc byte[KStat.Size];
        long r = Libc.Raw(Nr.Newfstatat, from, (long)name, (long)st, O.AtSymlinkNoFollow);
        if (r < 0) return r;
        uint mode = *(uint*)(st + KStat.Mode);
        uint uid = *(uint*)(st + KStat.Uid), gid = *(uint*)(st + KStat.Gid);
        ulong rdev = *(ulong*)(st + KStat.Rdev);
        // struct timespec times[2] = { st_atim, st_mtim }.
        long* times = stackalloc long[4];
        times[0] = *(long*)(st + KStat.Atime); times[1] = *(long*)(st + KStat.Atime + 8);
        times[2] = *(long*)(st + KStat.Mtime); times[3] = *(long*)(st + KStat.Mtime + 8);
        uint type = mode & S.IfMt;
        if (type == S.IfReg) return CopyFile(from, to, name, uid, gid, mode, times);
        if (type == S.IfDir) return CopyDirectory(from, to, name, uid, gid, mode, times, depth);
        if (type == S.IfLnk) r = CopyLink(from, to, name);
        else r = Libc.Raw(Nr.Mknodat, to, (long)name, type | 0x180 /*0600*/, (long)rdev);
        if (r < 0) return r;
        r = Libc.Raw(Nr.Fchownat, to, (long)name, uid, gid, O.AtSymlinkNoFollow);
        // fchmodat cannot change a symlink's mode (there is none to keep).
        if (r == 0 && type != S.IfLnk) r = Libc.Raw(Nr.Fchmodat, to, (long)name, mode & 0xfff);
        if (r == 0) r = Libc.Raw(Nr.Utimensat, to, (long)name, (long)times, O.AtSymlinkNoFollow);
        return r < 0 ? r : 0;
    }

    static long CopyLink(int from, int to, byte* name)
    {
        byte* target = stackalloc byte[4096];
        long n = Libc.Raw(Nr.Readlinkat, from, (long)name, (long)target, 4095);
        if (n < 0) return n;
        target[n] = 0;
        return Libc.Raw(Nr.Symlinkat, (long)target, to, (long)name);
    }

    static long CopyFile(int from, int to, byte* name, uint uid, uint gid, uint mode, long* times)
    {
        // O_NONBLOCK: were it swapped for a fifo since the stat, the open must not hang.
        long src = Libc.Raw(Nr.Openat, from, (long)name, O.RdOnly | O.NoFollow | O.NonBlock | O.NoCtty | O.CloExec);
        if (src < 0) return src;
        long r = ChildFs.TypeOf(src);
        if (r >= 0 && r != S.IfReg) r = -Errno.EINVAL;
        long dst = -1;
        if (r >= 0)
        {
            dst = Libc.Raw(Nr.Openat, to, (long)name, O.WrOnly | O.Creat | O.Excl | O.NoFollow | O.CloExec, 0x180 /*0600*/);
            r = dst < 0 ? dst : 0;
        }
        while (r == 0)
        {
            long sent = Libc.Raw(Nr.Sendfile, dst, src, 0, 1L << 30);
            if (sent == -Errno.EINTR) continue;
            if (sent <= 0) { r = sent; break; }
        }
        if (r == 0) r = Attributes(dst, uid, gid, mode, times);
        if (dst >= 0) Libc.Raw(Nr.Close, dst);
        Libc.Raw(Nr.Close, src);
        return r < 0 ? r : 0;
    }

    static long CopyDirectory(int from, int to, byte* name, uint uid, uint gid, uint mode, long* times, int depth)
    {
        long r = Libc.Raw(Nr.Mkdirat, to, (long)name, 0x1c0 /*0700*/);
        if (r < 0) return r;
        long src = Libc.Raw(Nr.Openat, from, (long)name, O.RdOnly | O.Directory | O.NoFollow | O.CloExec);
        if (src < 0) return src;
        long dst = Libc.Raw(Nr.Openat, to, (long)name, O.RdOnly | O.Directory | O.NoFollow | O.CloExec);
        r = dst < 0 ? dst : CopyTree((int)src, (int)dst, depth + 1);
        // Owner and mode last: a read-only directory must be filled first.
        if (r == 0) r = Attributes(dst, uid, gid, mode, times);
        if (dst >= 0) Libc.Raw(Nr.Close, dst);
        Libc.Raw(Nr.Close, src);
        return r < 0 ? r : 0;
    }

    /// <summary>Owner, then mode (a chown clears set-id bits), then times (both change the ctime only).</summary>
    static long Attributes(long fd, uint uid, uint gid, uint mode, long* times)
    {
        long r = Libc.Raw(Nr.Fchown, fd, uid, gid);
        if (r == 0) r = Libc.Raw(Nr.Fchmod, fd, mode & 0xfff);
        if (r == 0) r = Libc.Raw(Nr.Utimensat, fd, 0, (long)times, 0);
        return r;
    }
}
