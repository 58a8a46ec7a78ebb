using System.Text;
using CsRun.Errors;

namespace CsRun.Linux;

/// <summary>What stat(2) says about a file: enough to compare two files and tell a directory.</summary>
internal readonly record struct FileId(ulong Dev, ulong Ino, uint Mode)
{
    public bool IsDirectory => (Mode & S.IfMt) == S.IfDir;
}

/// <summary>
/// Whole-file reads and writes through plain system calls: errors come back as errno, so the
/// callers can word them the way runc does ("open x: permission denied"), and no FileStream
/// machinery is loaded on the start-up path.
/// </summary>
internal static unsafe class Files
{
    /// <summary>Reads an open fd (a file, a pipe: stdin) to its end. Returns 0 or an errno:
    /// EFBIG once more than <paramref name="limit"/> bytes came, without reading on.</summary>
    public static int ReadToEnd(int fd, out byte[] data, long limit = long.MaxValue, int sizeHint = 16 * 1024)
    {
        data = Array.Empty<byte>();
        // At most limit + 1 bytes: one past the limit says the input is too large.
        long cap = limit >= Array.MaxLength ? Array.MaxLength : limit + 1;
        var buf = new byte[Math.Clamp(sizeHint, 1, cap)];
        long len = 0;
        while (true)
        {
            if (len == buf.Length)
            {
                if (len == cap) return len > limit ? Errno.EFBIG : Errno.ENOMEM;
                Array.Resize(ref buf, (int)Math.Min((long)buf.Length * 2, cap));
            }
            long n;
            fixed (byte* p = buf) n = Libc.Sys(Nr.Read, fd, (long)(p + len), buf.Length - len);
            if (n == -Errno.EINTR) continue;
            if (n < 0) return (int)-n;
            if (n == 0) break;
            len += n;
            if (len > limit) return Errno.EFBIG;
        }
        data = len == buf.Length ? buf : buf.AsSpan(0, (int)len).ToArray();
        return 0;
    }

    /// <summary>What <see cref="ReadRegular"/> found: 0 and the bytes, an errno (ENOENT, EACCES,
    /// EISDIR...), a file that is not regular (its S_IFMT type), or one larger than the limit
    /// (EFBIG, with its size, or -1 if it grew past the limit while read).</summary>
    public readonly record struct RegularRead(int Errno, byte[] Data, uint Type, long Size)
    {
        public bool NotRegular => Errno == 0 && Type != S.IfReg;
    }

    /// <summary>
    /// Reads a regular file of at most <paramref name="limit"/> bytes, for input csrun parses
    /// whole (config.json, exec --process, update -r). Opened O_NONBLOCK, so a FIFO does not
    /// wait for a writer; anything but a regular file (a FIFO, /dev/zero, a socket) is refused
    /// before a byte is read; the size is checked before the read, and the read stops one byte
    /// past the limit in case the file grows meanwhile.
    /// </summary>
    public static RegularRead ReadRegular(string path, long limit)
    {
        int fd = Open(path, O.RdOnly | O.NonBlock | O.CloExec, 0);
        if (fd < 0) return new(-fd, Array.Empty<byte>(), 0, 0);
        try
        {
            byte* st = stackalloc byte[KStat.Size];
            long r = Libc.Sys(Nr.Fstat, fd, (long)st);
            if (r < 0) return new((int)-r, Array.Empty<byte>(), 0, 0);
            uint type = *(uint*)(st + KStat.Mode) & S.IfMt;
            long size = *(long*)(st + KStat.FileSize);
            if (type == S.IfDir) return new(Errno.EISDIR, Array.Empty<byte>(), type, size);
            if (type != S.IfReg) return new(0, Array.Empty<byte>(), type, size);
            if (size > limit) return new(Errno.EFBIG, Array.Empty<byte>(), type, size);
            // Sized by st_size (0 for files such as procfs ones that do not know theirs).
            int e = ReadToEnd(fd, out var data, limit, Math.Max((int)size + 1, 4096));
            return new(e, data, type, e == Errno.EFBIG ? -1 : data.Length);
        }
        finally
        {
            Libc.Sys(Nr.Close, fd);
        }
    }

    /// <summary>"a fifo", "a character device"...: a file type in words.</summary>
    public static string TypeName(uint type) => type switch
    {
        S.IfDir => "a directory",
        S.IfChr => "a character device",
        S.IfBlk => "a block device",
        S.IfIfo => "a fifo",
        S.IfSock => "a socket",
        S.IfLnk => "a symbolic link",
        S.IfReg => "a regular file",
        _ => $"of type 0{Convert.ToString(type >> 12, 8)}",
    };

    /// <summary>Creates <paramref name="path"/> (O_EXCL: never follows or replaces what is
    /// there) and writes <paramref name="data"/>. Returns 0 or an errno (EEXIST if it exists).</summary>
    public static int WriteNew(string path, ReadOnlySpan<byte> data, int mode)
    {
        int fd = Open(path, O.WrOnly | O.Creat | O.Excl | O.CloExec, mode);
        if (fd < 0) return -fd;
        try
        {
            return WriteAll(fd, data);
        }
        finally
        {
            Libc.Sys(Nr.Close, fd);
        }
    }

    /// <summary>Writes all of <paramref name="data"/> to <paramref name="fd"/>. Returns 0 or an errno.</summary>
    public static int WriteAll(int fd, ReadOnlySpan<byte> data)
    {
        int off = 0;
        while (off < data.Length)
        {
            long n;
            fixed (byte* p = data) n = Libc.Sys(Nr.Write, fd, (long)(p + off), data.Length - off);
            if (n == -Errno.EINTR) continue;
            if (n < 0) return (int)-n;
            off += (int)n;
        }
        return 0;
    }

    /// <summary>stat(2), following symlinks. Returns 0 or an errno.</summary>
    public static int Stat(string path, out FileId id)
    {
        id = default;
        byte* st = stackalloc byte[KStat.Size];
        long r;
        fixed (byte* p = CString(path)) r = Libc.Sys(Nr.Newfstatat, O.AtFdCwd, (long)p, (long)st, 0);
        if (r < 0) return (int)-r;
        id = new FileId(*(ulong*)(st + KStat.Dev), *(ulong*)(st + KStat.Ino), *(uint*)(st + KStat.Mode));
        return 0;
    }

    static int Open(string path, int flags, int mode)
    {
        while (true)
        {
            long r;
            fixed (byte* p = CString(path)) r = Libc.Sys(Nr.Openat, O.AtFdCwd, (long)p, flags, mode);
            if (r != -Errno.EINTR) return (int)r;
        }
    }

    static byte[] CString(string s)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(s) + 1];
        Encoding.UTF8.GetBytes(s, bytes);
        return bytes;
    }

    public static void Mkfifo(string path, uint mode)
    {
        long r;
        fixed (byte* p = CString(path)) r = Libc.Sys(Nr.Mknodat, O.AtFdCwd, (long)p, S.IfIfo | mode, 0);
        if (r < 0) throw new RuntimeError($"mkfifo {path}: {Errno.Message((int)-r)}");
        // mknod honours the umask; the fifo must be writable by the container's user.
        fixed (byte* p = CString(path)) Libc.Sys(Nr.Fchmodat, O.AtFdCwd, (long)p, mode);
    }

    /// <summary>open(2); returns the fd or -errno.</summary>
    public static int TryOpen(string path, int flags, uint mode = 0)
    {
        fixed (byte* p = CString(path)) return (int)Libc.Sys(Nr.Openat, O.AtFdCwd, (long)p, flags | O.CloExec, mode);
    }

    /// <summary>openat2(RESOLVE_IN_ROOT) of <paramref name="path"/> (absolute or not) below
    /// <paramref name="root"/>, following symlinks as a process whose root that is; the fd or -errno
    /// (EXDEV for a magic link on the way, which openat2 refuses there).</summary>
    public static int TryOpenInRoot(int root, string path, int flags)
    {
        string rel = path.TrimStart('/');
        ulong* how = stackalloc ulong[3];
        how[0] = (ulong)(flags | O.CloExec);
        how[1] = 0;
        how[2] = Resolve.InRoot;
        long r;
        fixed (byte* p = CString(rel.Length == 0 ? "." : rel))
        {
            do r = Libc.Sys(Nr.Openat2, root, (long)p, (long)how, 24);
            while (r == -Errno.EAGAIN || r == -Errno.EINTR);
        }
        return (int)r;
    }

    /// <summary>mkdirat(2) (a directory) or mknodat(2) (an empty regular file) of
    /// <paramref name="name"/> in <paramref name="dir"/>; 0 or -errno.</summary>
    public static int TryMakeAt(int dir, string name, bool directory, uint mode)
    {
        fixed (byte* p = CString(name))
            return (int)(directory ? Libc.Sys(Nr.Mkdirat, dir, (long)p, mode) : Libc.Sys(Nr.Mknodat, dir, (long)p, S.IfReg | mode, 0));
    }

    /// <summary>The file system type (statfs f_type) of what <paramref name="fd"/> names, or -errno.</summary>
    public static long FsType(int fd)
    {
        byte* st = stackalloc byte[120];
        long r = Libc.Sys(Nr.Fstatfs, fd, (long)st);
        return r < 0 ? r : *(long*)st;
    }

    public static int Open(string path, int flags, string what)
    {
        int fd = TryOpen(path, flags);
        if (fd < 0) throw new RuntimeError($"{what}: open {path}: {Errno.Message(-fd)}");
        return fd;
    }

    public static void Close(int fd)
    {
        if (fd >= 0) Libc.Sys(Nr.Close, fd);
    }

    /// <summary>Write a whole file that must already exist (/proc files), naming the path on failure.</summary>
    public static void WriteExisting(string path, string content, string what)
    {
        int fd = Open(path, O.WrOnly | O.NoFollow, what);
        try
        {
            // A write meant for /proc goes only to a file on procfs (CVE-2019-16884 class).
            if (path.StartsWith("/proc/"))
            {
                if (FsType(fd) != Magic.Proc) throw new RuntimeError($"{what}: refusing to write {path}: not on procfs");
            }
            var bytes = Encoding.UTF8.GetBytes(content);
            long r;
            fixed (byte* b = bytes) r = Libc.Sys(Nr.Write, fd, (long)b, bytes.Length);
            if (r < 0) throw new RuntimeError($"{what}: write {path}: {Errno.Message((int)-r)}");
        }
        finally { Close(fd); }
    }

    /// <summary>
    /// rm -rf of a directory csrun made (a container's state dir) with raw calls: getdents64 and
    /// unlinkat (Directory.Delete's enumerators cost ~50 µs here). Returns 0, or an errno; a
    /// missing directory is 0. Never follows a symlink: entries are unlinked, not entered.
    /// </summary>
    public static int RemoveTree(string dir)
    {
        for (int pass = 0; ; pass++)
        {
            int fd = TryOpen(dir, O.RdOnly | O.Directory | O.NoFollow);
            if (fd == -Errno.ENOENT) return 0;
            if (fd < 0) return -fd;
            int e = RemoveEntries(fd);
            Close(fd);
            if (e != 0) return e;
            int r = KernelFile.Rmdir(dir);
            if (r == 0 || r == -Errno.ENOENT) return 0;
            // A file system may skip entries while a listing deletes them: list again.
            if (r != -Errno.ENOTEMPTY || pass == 2) return -r;
        }
    }

    static int RemoveEntries(int dirFd)
    {
        byte* buf = stackalloc byte[4096];
        while (true)
        {
            long n = Libc.Sys(Nr.Getdents64, dirFd, (long)buf, 4096);
            if (n < 0) return (int)-n;
            if (n == 0) return 0;
            // struct linux_dirent64: u64 ino, s64 off, u16 reclen, u8 type, char name[]
            for (long off = 0; off < n; off += *(ushort*)(buf + off + 16))
            {
                byte* name = buf + off + 19;
                if (name[0] == '.' && (name[1] == 0 || name[1] == '.' && name[2] == 0)) continue;
                if (buf[off + 18] == 4 /*DT_DIR*/)
                {
                    long sub = Libc.Sys(Nr.Openat, dirFd, (long)name, O.RdOnly | O.Directory | O.NoFollow | O.CloExec);
                    if (sub < 0) return (int)-sub;
                    int e = RemoveEntries((int)sub);
                    Close((int)sub);
                    if (e != 0) return e;
                    long r = Libc.Sys(Nr.Unlinkat, dirFd, (long)name, O.AtRemoveDir);
                    if (r < 0 && r != -Errno.ENOENT) return (int)-r;
                }
                else
                {
                    long r = Libc.Sys(Nr.Unlinkat, dirFd, (long)name, 0);
                    if (r < 0 && r != -Errno.ENOENT) return (int)-r;
                }
            }
        }
    }

    public static void WriteAtomic(string path, string content) => WriteAtomic(path, Encoding.UTF8.GetBytes(content));

    /// <summary>
    /// Replaces <paramref name="path"/> at once: a temp file beside it, written, renamed over
    /// it, so a reader sees the old file or the new one (raw calls: FileStream costs ~50 µs).
    /// </summary>
    public static void WriteAtomic(string path, ReadOnlySpan<byte> content)
    {
        string full = Path.GetFullPath(path);
        string tmp = Path.Combine(Path.GetDirectoryName(full) ?? "/", "." + Path.GetFileName(full) + ".tmp");
        fixed (byte* p = CString(tmp)) Libc.Sys(Nr.Unlinkat, O.AtFdCwd, (long)p, 0); // left by a crash, if at all
        int e = WriteNew(tmp, content, 0x1b6 /*0666 & ~umask, as File.Write*/);
        if (e == 0)
        {
            fixed (byte* from = CString(tmp))
            fixed (byte* to = CString(full))
                e = (int)-Libc.Sys(Nr.Renameat, O.AtFdCwd, (long)from, O.AtFdCwd, (long)to);
        }
        if (e != 0) throw new RuntimeError($"write {full}: {Errno.Message(e)}");
    }
}
