using CsRun.Linux;

namespace CsRun.Launch.Child;

/// <summary>
/// The child's file system steps. Paths inside the rootfs are resolved with openat2
/// RESOLVE_IN_ROOT from an fd of the rootfs, so no symlink can lead a mount or a new
/// directory out of it (CVE-2021-30465, CVE-2024-45310); mounts go through /proc/self/fd/N.
/// </summary>
internal static unsafe class ChildFs
{
    const int PathMax = 4096;

    /// <summary>openat2 with RESOLVE_IN_ROOT anchored at <paramref name="root"/>.</summary>
    public static long OpenInRoot(int root, long path, int flags)
    {
        ulong* how = stackalloc ulong[3];
        how[0] = (ulong)(flags | O.CloExec);
        how[1] = 0;
        how[2] = Resolve.InRoot | Resolve.NoMagicLinks;
        long r;
        do r = Libc.Raw(Nr.Openat2, root, path, (long)how, 24);
        while (r == -Errno.EAGAIN || r == -Errno.EINTR);
        return r;
    }

    /// <summary>The S_IFMT bits of what <paramref name="fd"/> names, or -errno.</summary>
    public static long TypeOf(long fd)
    {
        byte* st = stackalloc byte[KStat.Size];
        long r = Libc.Raw(Nr.Fstat, fd, (long)st);
        return r < 0 ? r : *(uint*)(st + KStat.Mode) & S.IfMt;
    }

    /// <summary>"/proc/self/fd/N" into <paramref name="buf"/> (32 bytes).</summary>
    public static long ProcFdPath(byte* buf, int fd)
    {
        ReadOnlySpan<byte> prefix = "/proc/self/fd/"u8;
        int n = 0;
        for (; n < prefix.Length; n++) buf[n] = prefix[n];
        byte* digits = stackalloc byte[12];
        int d = 0;
        do { digits[d++] = (byte)('0' + fd % 10); fd /= 10; } while (fd > 0);
        while (d > 0) buf[n++] = digits[--d];
        buf[n] = 0;
        return (long)buf;
    }

    /// <summary>Target kinds: a file, a directory, or a directory that must not be a symlink itself.</summary>
    public const int TargetFile = 0, TargetDirectory = 1, TargetRealDirectory = 2;

    public static long PrepareTarget(ChildContext* ctx, long path, int kind)
    {
        CloseTarget(ctx);
        bool directory = kind != TargetFile;
        if (kind == TargetRealDirectory)
        {
            long link = OpenInRoot(ctx->RootFd, path, O.Path | O.NoFollow);
            if (link >= 0)
            {
                long type = TypeOf(link);
                Libc.Raw(Nr.Close, link);
                if (type == S.IfLnk) return -ChildErrors.TargetIsSymlink;
            }
        }
        long fd = OpenInRoot(ctx->RootFd, path, O.Path);
        ctx->TargetMode = fd >= 0 ? ModeOf(fd) : -1;
        if (fd == -Errno.ENOENT) fd = CreateInRoot(ctx->RootFd, path, directory, followDangling: true);
        if (fd < 0) return fd;
        ctx->TargetFd = (int)fd;
        ctx->TargetPath = path;
        return 0;
    }

    /// <summary>The permission bits (07777) of what <paramref name="fd"/> names, or -1.</summary>
    static int ModeOf(long fd)
    {
        byte* st = stackalloc byte[KStat.Size];
        return Libc.Raw(Nr.Fstat, fd, (long)st) < 0 ? -1 : (int)(*(uint*)(st + KStat.Mode) & 0xfff);
    }

    /// <summary>Length of the "mode=0000," slot the parent puts before a tmpfs's data.</summary>
    public const int ModeSlot = 10;

    /// <summary>
    /// tmpfs data for a mount whose options give no mode=: <paramref name="data"/> starts with a
    /// "mode=0000" slot (then "," and the rest, if any). When the target was already there, the
    /// slot gets its permission bits, so the tmpfs root keeps the mode of the directory it covers
    /// (runc since 1.1.8: mode= prepended; 1.1.5 chmods after the mount, over an explicit mode= too);
    /// otherwise the slot is skipped and the kernel's default (1777) stays.
    /// </summary>
    public static long WithCoveredMode(ChildContext* ctx, long data)
    {
        byte* d = (byte*)data;
        int mode = ctx->TargetMode;
        if (mode < 0) return d[ModeSlot - 1] == ',' ? data + ModeSlot : 0;
        for (int i = 0; i < 4; i++) d[5 + i] = (byte)('0' + ((mode >> (9 - 3 * i)) & 7));
        return data;
    }

    static void CloseTarget(ChildContext* ctx)
    {
        if (ctx->TargetFd >= 0) Libc.Raw(Nr.Close, ctx->TargetFd);
        ctx->TargetFd = -1;
    }

    /// <summary>After a mount the old fd still names the covered directory: reopen to reach the new mount.</summary>
    static long ReopenTarget(ChildContext* ctx)
    {
        long fd = OpenInRoot(ctx->RootFd, ctx->TargetPath, O.Path);
        if (fd < 0) return fd;
        CloseTarget(ctx);
        ctx->TargetFd = (int)fd;
        return 0;
    }

    /// <summary>
    /// mkdir -p inside the root, one component at a time: each new directory is made with
    /// mkdirat in a parent that was itself resolved inside the root, so a racing symlink can at
    /// worst make the step fail, never escape. The walk starts at the deepest ancestor that
    /// exists, looked for from the end: nearly always the parent, one openat2 instead of one
    /// per component (a default config makes ~40 targets, each 2-4 levels deep). For a mount
    /// target (<paramref name="followDangling"/>) a dangling symlink on the way is followed,
    /// inside the root, and what it names is made (runc's SecureJoin does the same): its text
    /// replaces the component, after the path up to it when it is relative, and the walk starts
    /// again, at most 40 times; otherwise it fails the step. Returns an O_PATH fd of the path,
    /// which the caller closes, or -errno.
    /// </summary>
    public static long CreateInRoot(int root, long path, bool lastIsDirectory, bool followDangling = false)
    {
        byte* buf = stackalloc byte[PathMax];
        byte* src = (byte*)path;
        int len = 0;
        while (src[len] != 0) { if (len >= PathMax - 1) return -Errno.ENAMETOOLONG; buf[len] = src[len]; len++; }
        buf[len] = 0;
        for (int hops = 0; hops <= MaxSymlinks; hops++)
        {
            long r = CreateWalk(root, buf, ref len, lastIsDirectory, followDangling);
            if (r != FollowedLink) return r;
        }
        return -Errno.ELOOP;
    }

    const int MaxSymlinks = 40;
    /// <summary>CreateWalk met a dangling symlink and rewrote the path through it.</summary>
    const long FollowedLink = long.MinValue;

    static long CreateWalk(int root, byte* buf, ref int len, bool lastIsDirectory, bool followDangling)
    {
        long parent = OpenDeepestAncestor(root, buf, len, out int i);
        if (parent < 0) return parent;
        while (i < len)
        {
            while (i < len && buf[i] == '/') i++;
            if (i >= len) break;
            int start = i;
            while (i < len && buf[i] != '/') i++;
            int end = i;
            int rest = i;
            while (rest < len && buf[rest] == '/') rest++;
            bool last = rest >= len;
            byte saved = buf[end];
            buf[end] = 0;
            bool wantDir = !last || lastIsDirectory;
            // Past the deepest ancestor every directory is (nearly always) missing: make it, then
            // open what is there, made by us or by a racer, inside the root. A file is looked for
            // first: opening an existing one (a device node) for writing could have effects.
            long fd = wantDir ? -Errno.ENOENT : OpenInRoot(root, (long)buf, O.Path);
            if (fd == -Errno.ENOENT)
            {
                long made;
                if (wantDir)
                {
                    made = Libc.Raw(Nr.Mkdirat, parent, (long)(buf + start), 0x1ed /*0755*/);
                }
                else
                {
                    made = Libc.Raw(Nr.Openat, parent, (long)(buf + start), O.Creat | O.WrOnly | O.NoFollow | O.CloExec, 0x1a4 /*0644*/);
                    if (made >= 0) { Libc.Raw(Nr.Close, made); made = 0; }
                }
                // EEXIST for a directory, ELOOP (O_NOFOLLOW) for a file: maybe a dangling symlink.
                if (made < 0 && made != -Errno.EEXIST && (made != -Errno.ELOOP || !followDangling)) { Libc.Raw(Nr.Close, parent); return made; }
                fd = OpenInRoot(root, (long)buf, O.Path | (wantDir ? O.Directory : 0));
                if (fd == -Errno.ENOENT && followDangling && FollowDangling(parent, buf, start, end, saved, ref len))
                {
                    Libc.Raw(Nr.Close, parent);
                    return FollowedLink;
                }
            }
            buf[end] = saved;
            Libc.Raw(Nr.Close, parent);
            if (fd < 0) return fd;
            parent = fd;
        }
        return parent;
    }

    /// <summary>
    /// If buf[start..end) (NUL-terminated there, <paramref name="saved"/> the byte the NUL replaced)
    /// is a symlink in <paramref name="parent"/>, rewrite buf as the path it names: buf[0..start)
    /// (for a relative link), the link's text, then the rest of the path after the component.
    /// Every path is resolved with RESOLVE_IN_ROOT, so the new one cannot leave the root either.
    /// </summary>
    static bool FollowDangling(long parent, byte* buf, int start, int end, byte saved, ref int len)
    {
        byte* link = stackalloc byte[PathMax];
        long n = Libc.Raw(Nr.Readlinkat, parent, (long)(buf + start), (long)link, PathMax);
        if (n <= 0 || n >= PathMax) return false;
        buf[end] = saved;
        int keep = link[0] == '/' ? 0 : start;
        int rest = len - end;
        if (keep + n + rest >= PathMax) return false;
        byte* tmp = stackalloc byte[PathMax];
        int m = 0;
        for (int k = 0; k < keep; k++) tmp[m++] = buf[k];
        for (int k = 0; k < n; k++) tmp[m++] = link[k];
        for (int k = end; k < len; k++) tmp[m++] = buf[k];
        for (int k = 0; k < m; k++) buf[k] = tmp[k];
        buf[m] = 0;
        len = m;
        return true;
    }

    /// <summary>
    /// The deepest proper ancestor of buf[0..len) that exists in the root, opened as a directory;
    /// <paramref name="from"/> is where the components still to walk begin. The root itself if none.
    /// </summary>
    static long OpenDeepestAncestor(int root, byte* buf, int len, out int from)
    {
        int cut = len;
        while (true)
        {
            cut = LastSeparator(buf, cut);
            if (cut <= 0) break;
            buf[cut] = 0;
            long fd = OpenInRoot(root, (long)buf, O.Path | O.Directory);
            buf[cut] = (byte)'/';
            if (fd >= 0) { from = cut; return fd; }
            if (fd != -Errno.ENOENT) { from = 0; return fd; }
        }
        from = 0;
        return OpenInRoot(root, (long)".\0"u8.AsPointerUnsafe(), O.Path | O.Directory);
    }

    /// <summary>Index of the '/' before the last component of buf[0..end) (trailing slashes skipped), or -1.</summary>
    static int LastSeparator(byte* buf, int end)
    {
        int j = end - 1;
        while (j >= 0 && buf[j] == '/') j--;
        while (j >= 0 && buf[j] != '/') j--;
        return j;
    }

    public static long MountOnTarget(ChildContext* ctx, long source, long fstype, long flags, long data)
    {
        byte* target = stackalloc byte[32];
        ProcFdPath(target, ctx->TargetFd);
        long r = Libc.Raw(Nr.Mount, source, (long)target, fstype, flags, data);
        if (r == -Errno.EPERM && (flags & (long)Ms.Remount) != 0)
        {
            // In a user namespace the flags a mount inherited are locked: keep them.
            r = Libc.Raw(Nr.Mount, source, (long)target, fstype, flags | LockedFlags(ctx->TargetFd), data);
        }
        if (r < 0) return r;
        return (flags & (long)(Ms.Remount | Ms.PropagationMask)) == 0 ? ReopenTarget(ctx) : 0;
    }

    /// <summary>move_mount a detached tree onto the target, then reach the new mount.</summary>
    public static long AttachOnTarget(ChildContext* ctx, int tree)
    {
        long empty = (long)"\0"u8.AsPointerUnsafe();
        long r = Libc.Raw(Nr.MoveMount, tree, empty, ctx->TargetFd, empty, 0x04 /*F_EMPTY_PATH*/ | 0x40 /*T_EMPTY_PATH*/);
        return r < 0 ? r : ReopenTarget(ctx);
    }

    public static long BindOnTarget(ChildContext* ctx, long source, long flags)
        => MountOnTarget(ctx, source, 0, (long)Ms.Bind | flags, 0);

    public static long SetattrTarget(ChildContext* ctx, long attrSet, long attrClr, long propagation)
    {
        ulong* attr = stackalloc ulong[4];
        attr[0] = (ulong)attrSet;
        attr[1] = (ulong)attrClr;
        attr[2] = (ulong)propagation;
        attr[3] = 0;
        long r = Libc.Raw(Nr.MountSetattr, ctx->TargetFd, (long)"\0"u8.AsPointerUnsafe(), O.AtEmptyPath | 0x8000 /*AT_RECURSIVE*/, (long)attr, 32);
        return r < 0 ? r : 0;
    }

    /// <summary>Mount flags that statfs reports for the mount under <paramref name="fd"/>.</summary>
    static long LockedFlags(int fd)
    {
        byte* st = stackalloc byte[120];
        if (Libc.Raw(Nr.Fstatfs, fd, (long)st) < 0) return 0;
        long f = *(long*)(st + 80);
        long m = f & (long)(Ms.RdOnly | Ms.NoSuid | Ms.NoDev | Ms.NoExec | Ms.NoAtime | Ms.NoDirAtime);
        if ((f & 4096) != 0) m |= (long)Ms.RelAtime;
        return m;
    }

    static long OpenParent(ChildContext* ctx, long parentPath)
    {
        long fd = OpenInRoot(ctx->RootFd, parentPath, O.Path | O.Directory);
        return fd == -Errno.ENOENT ? CreateInRoot(ctx->RootFd, parentPath, true) : fd;
    }

    public static long MknodInRoot(ChildContext* ctx, long parentPath, long name, uint mode, long dev, long owner)
    {
        long dir = OpenParent(ctx, parentPath);
        if (dir < 0) return dir;
        long r = Libc.Raw(Nr.Mknodat, dir, name, mode, dev);
        if (r == -Errno.EEXIST)
        {
            // Keep a node the image already has, but only if it is a device (CVE-2025-52565).
            byte* st = stackalloc byte[KStat.Size];
            r = Libc.Raw(Nr.Newfstatat, dir, name, (long)st, O.AtSymlinkNoFollow);
            if (r == 0)
            {
                uint t = *(uint*)(st + KStat.Mode) & S.IfMt;
                if (t != (mode & S.IfMt)) r = -ChildErrors.NotADevice;
            }
        }
        else if (r == 0 && owner != -1)
        {
            r = Libc.Raw(Nr.Fchownat, dir, name, (uint)(owner >> 32), (uint)owner, O.AtSymlinkNoFollow);
        }
        Libc.Raw(Nr.Close, dir);
        return r < 0 ? r : 0;
    }

    public static long SymlinkInRoot(ChildContext* ctx, long target, long parentPath, long name)
    {
        long dir = OpenParent(ctx, parentPath);
        if (dir < 0) return dir;
        long r = Libc.Raw(Nr.Symlinkat, target, dir, name);
        Libc.Raw(Nr.Close, dir);
        return r < 0 && r != -Errno.EEXIST ? r : 0;
    }

    /// <summary>pivot_root(".", ".") and detach the old root from under the new one (runc's way).</summary>
    public static long PivotRoot(ChildContext* ctx, long rootfs)
    {
        long oldRoot = Libc.Raw(Nr.Openat, O.AtFdCwd, (long)"/\0"u8.AsPointerUnsafe(), O.Directory | O.RdOnly | O.CloExec);
        if (oldRoot < 0) return oldRoot;
        long newRoot = Libc.Raw(Nr.Openat, O.AtFdCwd, rootfs, O.Directory | O.RdOnly | O.CloExec);
        if (newRoot < 0) return newRoot;
        long r = Libc.Raw(Nr.Fchdir, newRoot);
        if (r == 0) r = Libc.Raw(Nr.PivotRoot, (long)".\0"u8.AsPointerUnsafe(), (long)".\0"u8.AsPointerUnsafe());
        if (r == 0) r = Libc.Raw(Nr.Fchdir, oldRoot);
        // Make the old root a slave so the unmount below does not propagate to the host.
        if (r == 0) r = Libc.Raw(Nr.Mount, 0, (long)".\0"u8.AsPointerUnsafe(), 0, (long)(Ms.Slave | Ms.Rec), 0);
        if (r == 0) r = Libc.Raw(Nr.Umount2, (long)".\0"u8.AsPointerUnsafe(), Ms.MntDetach);
        if (r == 0) r = Libc.Raw(Nr.Chdir, (long)"/\0"u8.AsPointerUnsafe());
        Libc.Raw(Nr.Close, oldRoot);
        Libc.Raw(Nr.Close, newRoot);
        return r < 0 ? r : ReopenRoot(ctx);
    }

    /// <summary>--no-pivot: move the rootfs mount over / and chroot into it.</summary>
    public static long MoveRoot(ChildContext* ctx, long rootfs)
    {
        long r = Libc.Raw(Nr.Chdir, rootfs);
        if (r == 0) r = Libc.Raw(Nr.Mount, rootfs, (long)"/\0"u8.AsPointerUnsafe(), 0, (long)Ms.Move, 0);
        if (r == 0) r = Libc.Raw(Nr.Chroot, (long)".\0"u8.AsPointerUnsafe());
        if (r == 0) r = Libc.Raw(Nr.Chdir, (long)"/\0"u8.AsPointerUnsafe());
        return r < 0 ? r : ReopenRoot(ctx);
    }

    public static long Chroot(ChildContext* ctx, long rootfs)
    {
        long r = Libc.Raw(Nr.Chdir, rootfs);
        if (r == 0) r = Libc.Raw(Nr.Chroot, (long)".\0"u8.AsPointerUnsafe());
        if (r == 0) r = Libc.Raw(Nr.Chdir, (long)"/\0"u8.AsPointerUnsafe());
        return r < 0 ? r : ReopenRoot(ctx);
    }

    static long ReopenRoot(ChildContext* ctx)
    {
        if (ctx->RootFd >= 0) Libc.Raw(Nr.Close, ctx->RootFd);
        long fd = Libc.Raw(Nr.Openat, O.AtFdCwd, (long)"/\0"u8.AsPointerUnsafe(), O.Path | O.Directory | O.CloExec);
        if (fd < 0) return fd;
        ctx->RootFd = (int)fd;
        return 0;
    }

    /// <summary>
    /// maskedPaths: a directory gets a read-only tmpfs, anything else the container's /dev/null,
    /// checked to be the real null device so a symlink in the image cannot redirect the bind
    /// mount to a host file (CVE-2025-31133). An entry that is a symlink in the image masks
    /// what it points to, as in runc (whose mount(2) follows it from the container's /): it is
    /// resolved with RESOLVE_IN_ROOT, so "/../../etc/shadow" is the container's /etc/shadow,
    /// and a magic link is refused. An entry that does not exist is left alone (runc ignores
    /// ENOENT); one that exists is masked or the step fails.
    /// </summary>
    public static long MaskPath(ChildContext* ctx, long path)
    {
        long fd = OpenInRoot(ctx->RootFd, path, O.Path);
        if (fd == -Errno.ENOENT || fd == -Errno.ENOTDIR) return 0;
        if (fd < 0) return InOpenat2(fd);
        long type = TypeOf(fd);
        long r = type < 0 ? type : 0;
        byte* target = stackalloc byte[32];
        ProcFdPath(target, (int)fd);
        if (r == 0)
        {
            if (type == S.IfDir)
            {
                r = InMount(Libc.Raw(Nr.Mount, (long)"tmpfs\0"u8.AsPointerUnsafe(), (long)target, (long)"tmpfs\0"u8.AsPointerUnsafe(), (long)Ms.RdOnly, 0));
            }
            else
            {
                r = DevNull(ctx);
                if (r == 0)
                {
                    byte* source = stackalloc byte[32];
                    ProcFdPath(source, ctx->DevNullFd);
                    r = InMount(Libc.Raw(Nr.Mount, (long)source, (long)target, 0, (long)Ms.Bind, 0));
                }
            }
        }
        Libc.Raw(Nr.Close, fd);
        return r < 0 ? r : 0;
    }

    /// <summary>A failed openat2 or mount, told apart for the parent's message (see <see cref="ChildErrors"/>).</summary>
    static long InOpenat2(long r) => r < 0 && r > -1000 ? r - ChildErrors.Openat2FailedBase : r;
    static long InMount(long r) => r < 0 && r > -1000 ? r - ChildErrors.MountFailedBase : r;

    static long DevNull(ChildContext* ctx)
    {
        if (ctx->DevNullFd >= 0) return 0;
        long fd = OpenInRoot(ctx->RootFd, (long)"/dev/null\0"u8.AsPointerUnsafe(), O.Path | O.NoFollow);
        if (fd < 0) return fd;
        byte* st = stackalloc byte[KStat.Size];
        long r = Libc.Raw(Nr.Fstat, fd, (long)st);
        uint mode = *(uint*)(st + KStat.Mode);
        ulong rdev = *(ulong*)(st + KStat.Rdev);
        if (r < 0 || (mode & S.IfMt) != S.IfChr || rdev != 0x103)
        {
            Libc.Raw(Nr.Close, fd);
            return r < 0 ? r : -ChildErrors.NotDevNull;
        }
        ctx->DevNullFd = (int)fd;
        return 0;
    }

    /// <summary>
    /// readonlyPaths: bind the path on itself, then remount that bind read-only, keeping its
    /// nosuid, nodev and noexec. Like a masked path, a symlink in the image is followed inside
    /// the root (runc makes its target read-only), and an entry that does not exist is left alone.
    /// </summary>
    public static long ReadonlyPath(ChildContext* ctx, long path)
    {
        long fd = OpenInRoot(ctx->RootFd, path, O.Path);
        if (fd == -Errno.ENOENT || fd == -Errno.ENOTDIR) return 0;
        if (fd < 0) return InOpenat2(fd);
        byte* p = stackalloc byte[32];
        ProcFdPath(p, (int)fd);
        long r = Libc.Raw(Nr.Mount, (long)p, (long)p, 0, (long)(Ms.Bind | Ms.Rec), 0);
        Libc.Raw(Nr.Close, fd);
        if (r < 0) return InMount(r);
        // The old fd names what the bind covers: resolve again to reach the new mount.
        fd = OpenInRoot(ctx->RootFd, path, O.Path);
        if (fd < 0) return InOpenat2(fd);
        ProcFdPath(p, (int)fd);
        // Keep nosuid, nodev and noexec of the mount the bind copied (runc reads them with statfs):
        // a remount sets every per-mount flag it is not given back to its default.
        long flags = (long)(Ms.Remount | Ms.Bind | Ms.RdOnly | Ms.Rec)
            | (LockedFlags((int)fd) & (long)(Ms.NoSuid | Ms.NoDev | Ms.NoExec));
        r = Libc.Raw(Nr.Mount, 0, (long)p, 0, flags, 0);
        if (r == -Errno.EPERM) r = Libc.Raw(Nr.Mount, 0, (long)p, 0, flags | LockedFlags((int)fd), 0);
        Libc.Raw(Nr.Close, fd);
        return r < 0 ? InMount(r) : 0;
    }

    public static long RemountRoot(long flags)
    {
        long slash = (long)"/\0"u8.AsPointerUnsafe();
        long all = (long)(Ms.Remount | Ms.Bind) | flags;
        long r = Libc.Raw(Nr.Mount, 0, slash, 0, all, 0);
        if (r == -Errno.EPERM)
        {
            long fd = Libc.Raw(Nr.Openat, O.AtFdCwd, slash, O.Path | O.CloExec);
            if (fd >= 0) { r = Libc.Raw(Nr.Mount, 0, slash, 0, all | LockedFlags((int)fd), 0); Libc.Raw(Nr.Close, fd); }
        }
        return r < 0 ? r : 0;
    }

    /// <summary>Write a file, refusing one that is not on procfs when it must be (CVE-2019-16884 class).</summary>
    public static long WriteFile(long path, long data, int length, bool mustBeProc)
    {
        long fd = Libc.Raw(Nr.Openat, O.AtFdCwd, path, O.WrOnly | O.CloExec | O.NoFollow);
        if (fd < 0) return fd;
        long r = 0;
        if (mustBeProc)
        {
            byte* st = stackalloc byte[120];
            r = Libc.Raw(Nr.Fstatfs, fd, (long)st);
            if (r == 0 && *(long*)st != Magic.Proc) r = -ChildErrors.NotProcfs;
        }
        if (r == 0) r = Libc.Raw(Nr.Write, fd, data, length);
        Libc.Raw(Nr.Close, fd);
        return r < 0 ? r : 0;
    }

    /// <summary>getcwd says "(unreachable)…" for a directory outside our root (CVE-2024-21626).</summary>
    public static long VerifyCwd()
    {
        byte* buf = stackalloc byte[PathMax];
        long r = Libc.Raw(Nr.Getcwd, (long)buf, PathMax);
        if (r < 0) return r;
        return buf[0] == '/' ? 0 : -ChildErrors.CwdOutsideContainer;
    }
}

internal static unsafe class Utf8LiteralExtensions
{
    /// <summary>u8 literals live in the image's read-only data and never move.</summary>
    public static byte* AsPointerUnsafe(this ReadOnlySpan<byte> literal)
    {
        fixed (byte* p = literal) return p;
    }
}
