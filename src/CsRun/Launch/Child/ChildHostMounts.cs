using CsRun.Linux;

namespace CsRun.Launch.Child;

/// <summary>
/// --no-pivot: before the rootfs is moved over / and chrooted into, every full procfs and sysfs
/// mount outside the rootfs is detached (or, where it is locked, covered with a tmpfs), as runc's
/// msMoveRoot does. The host's mounts stay in the mount namespace under the moved rootfs, and the
/// kernel lets a process in a nested user namespace mount a fresh proc or sysfs as long as one
/// fully visible instance exists in it (mnt_too_revealing): the host's /proc would be that one,
/// and the fresh proc would show every masked path. Mounts are found in /proc/self/mountinfo:
/// root "/" (a full mount), fstype proc or sysfs, mount point not the rootfs or under it.
/// </summary>
internal static unsafe class ChildHostMounts
{
    const int PathMax = 4096;
    const int MaxHandled = 512;
    /// <summary>The buffer the parent prepares: a mountinfo line (two escaped paths and options) always fits.</summary>
    public const int BufferSize = 64 * 1024;

    public static long HideProcAndSysfs(ChildContext* ctx, byte* buf, int size)
    {
        byte* root = stackalloc byte[PathMax + 1];
        byte* link = stackalloc byte[32];
        ChildFs.ProcFdPath(link, ctx->RootFd);
        long rootLen = Libc.Raw(Nr.Readlinkat, O.AtFdCwd, (long)link, (long)root, PathMax);
        if (rootLen < 0) return rootLen;
        if (rootLen >= PathMax) return -Errno.ENAMETOOLONG;
        root[rootLen] = 0;
        long fd = Libc.Raw(Nr.Openat, O.AtFdCwd, (long)"/proc/self/mountinfo\0"u8.AsPointerUnsafe(), O.RdOnly | O.CloExec);
        if (fd < 0) return fd;
        long* handled = stackalloc long[MaxHandled];
        int count = 0;
        byte* mountPoint = stackalloc byte[PathMax + 1];
        long r;
        while (true)
        {
            // Each pass reads the table afresh from the start: a detach takes whole subtrees away.
            r = Libc.Raw(Nr.Lseek, fd, 0, 0);
            if (r < 0) break;
            r = FindNext(fd, buf, size, root, (int)rootLen, handled, count, mountPoint, out long id);
            if (r <= 0) break;
            if (count == MaxHandled) { r = -Errno.ENOSPC; break; }
            handled[count++] = id;
            r = Hide(mountPoint);
            if (r < 0) break;
        }
        Libc.Raw(Nr.Close, fd);
        return r < 0 ? r : 0;
    }

    /// <summary>runc's order: make it a slave so nothing propagates, detach it, and where the
    /// kernel will not (EINVAL, EPERM: locked in a user namespace) cover it with a tmpfs.</summary>
    static long Hide(byte* path)
    {
        long r = Libc.Raw(Nr.Mount, 0, (long)path, 0, (long)(Ms.Slave | Ms.Rec), 0);
        if (r == -Errno.ENOENT) return 0; // a detached parent took it already
        if (r < 0) return r - ChildErrors.MountFailedBase;
        r = Libc.Raw(Nr.Umount2, (long)path, Ms.MntDetach);
        if (r == -Errno.EINVAL || r == -Errno.EPERM)
        {
            r = Libc.Raw(Nr.Mount, (long)"tmpfs\0"u8.AsPointerUnsafe(), (long)path, (long)"tmpfs\0"u8.AsPointerUnsafe(),
                (long)(Ms.RdOnly | Ms.NoSuid | Ms.NoDev | Ms.NoExec), 0);
            if (r < 0) return r - ChildErrors.MountFailedBase;
        }
        return r < 0 ? r : 0;
    }

    /// <summary>1 with the mount's id and unescaped mount point when a mount still to hide is
    /// found, 0 when none is left, or -errno.</summary>
    static long FindNext(long fd, byte* buf, int size, byte* root, int rootLen, long* handled, int count, byte* mountPoint, out long id)
    {
        id = 0;
        int start = 0, end = 0;
        bool eof = false;
        while (true)
        {
            int nl = start;
            while (nl < end && buf[nl] != '\n') nl++;
            if (nl == end)
            {
                if (eof) return end > start && Matches(buf + start, end - start, root, rootLen, handled, count, mountPoint, out id) ? 1 : 0;
                // Keep the partial line, refill after it.
                for (int i = start; i < end; i++) buf[i - start] = buf[i];
                end -= start;
                start = 0;
                if (end == size) return -Errno.ENAMETOOLONG;
                long n;
                n = Libc.RawRetry(Nr.Read, fd, (long)(buf + end), size - end);
                if (n < 0) return n;
                if (n == 0) eof = true;
                end += (int)n;
                continue;
            }
            if (Matches(buf + start, nl - start, root, rootLen, handled, count, mountPoint, out id)) return 1;
            start = nl + 1;
        }
    }

    /// <summary>
    /// One mountinfo line: "id parent major:minor root mount-point options [optional…] - fstype source super-options".
    /// </summary>
    static bool Matches(byte* line, int len, byte* root, int rootLen, long* handled, int count, byte* mountPoint, out long id)
    {
        id = 0;
        int* at = stackalloc int[2];
        int pos = 0;
        // Field 0: the mount id.
        if (!Field(line, len, ref pos, at)) return false;
        for (int i = at[0]; i < at[1]; i++)
        {
            if (line[i] < '0' || line[i] > '9') return false;
            id = id * 10 + (line[i] - '0');
        }
        if (!Field(line, len, ref pos, at) || !Field(line, len, ref pos, at)) return false; // parent, major:minor
        if (!Field(line, len, ref pos, at)) return false; // root within the filesystem
        if (at[1] - at[0] != 1 || line[at[0]] != '/') return false; // not a full mount
        if (!Field(line, len, ref pos, at)) return false;
        int mpStart = at[0], mpEnd = at[1];
        // Options, then optional fields up to the "-" separator, then the type.
        while (true)
        {
            if (!Field(line, len, ref pos, at)) return false;
            if (at[1] - at[0] == 1 && line[at[0]] == '-') break;
        }
        if (!Field(line, len, ref pos, at)) return false;
        if (!Is(line + at[0], at[1] - at[0], "proc"u8) && !Is(line + at[0], at[1] - at[0], "sysfs"u8)) return false;
        for (int i = 0; i < count; i++) if (handled[i] == id) return false;
        int mpLen = Unescape(line + mpStart, mpEnd - mpStart, mountPoint);
        if (mpLen < 0) return false;
        return !Under(mountPoint, mpLen, root, rootLen);
    }

    /// <summary>The next space-separated field of the line: [at[0], at[1]).</summary>
    static bool Field(byte* line, int len, ref int pos, int* at)
    {
        while (pos < len && line[pos] == ' ') pos++;
        if (pos >= len) return false;
        at[0] = pos;
        while (pos < len && line[pos] != ' ') pos++;
        at[1] = pos;
        return true;
    }

    static bool Is(byte* s, int len, ReadOnlySpan<byte> word)
    {
        if (len != word.Length) return false;
        for (int i = 0; i < len; i++) if (s[i] != word[i]) return false;
        return true;
    }

    /// <summary>mountinfo writes space, tab, newline and backslash as \ooo. Returns the length, or -1 if too long.</summary>
    static int Unescape(byte* s, int len, byte* dst)
    {
        int n = 0;
        for (int i = 0; i < len; i++)
        {
            if (n >= PathMax) return -1;
            byte c = s[i];
            if (c == '\\' && i + 3 < len && IsOctal(s[i + 1]) && IsOctal(s[i + 2]) && IsOctal(s[i + 3]))
            {
                c = (byte)(((s[i + 1] - '0') << 6) | ((s[i + 2] - '0') << 3) | (s[i + 3] - '0'));
                i += 3;
            }
            dst[n++] = c;
        }
        dst[n] = 0;
        return n;
    }

    static bool IsOctal(byte c) => c >= '0' && c <= '7';

    /// <summary>Whether the mount point is the rootfs or inside it (not merely sharing a prefix: /rootfs2).</summary>
    static bool Under(byte* path, int len, byte* root, int rootLen)
    {
        if (rootLen == 1 && root[0] == '/') return true;
        if (len < rootLen) return false;
        for (int i = 0; i < rootLen; i++) if (path[i] != root[i]) return false;
        return len == rootLen || path[rootLen] == '/';
    }
}
