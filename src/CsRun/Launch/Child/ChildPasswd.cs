using CsRun.Linux;

namespace CsRun.Launch.Child;

/// <summary>
/// HOME for a process whose env has none: the home directory of process.user.uid in the
/// container's /etc/passwd, as runc sets it. The child reads the file itself after the root
/// switch (or, for exec, after joining the mount namespace), so a symlinked /etc/passwd
/// resolves inside the container and nothing on the host is ever read. The parent reserved
/// <see cref="EntrySize"/> bytes holding "HOME=/" and pointed the envp slot at them; a match
/// overwrites the path. Anything else (no file, not a regular file, no such uid, a home too long
/// for the entry, a read error, no match in the first <see cref="MaxBytes"/>) leaves "/", runc's
/// fallback; the step never fails. Only a regular file is opened for reading: a FIFO would block
/// and a device (/dev/zero) never ends.
/// </summary>
internal static unsafe class ChildPasswd
{
    /// <summary>"HOME=" + path + NUL.</summary>
    public const int EntrySize = 4096;
    const int Prefix = 5;
    const long MaxBytes = 4 << 20;
    const int Chunk = 4096;

    public static long FindHome(long entry, uint uid)
    {
        byte* home = (byte*)entry + Prefix;
        long fd = OpenRegular((long)"/etc/passwd\0"u8.AsPointerUnsafe());
        if (fd < 0) return 0;
        if (!Scan((int)fd, home, uid)) { home[0] = (byte)'/'; home[1] = 0; }
        Libc.Raw(Nr.Close, fd);
        return 0;
    }

    /// <summary>A read fd of <paramref name="path"/> if it is a regular file, else -errno. It is
    /// looked at through O_PATH first, which opens nothing (no FIFO wait, no device open); the
    /// read open is checked again, in case the file was swapped in between.</summary>
    static long OpenRegular(long path)
    {
        long probe = Libc.Raw(Nr.Openat, O.AtFdCwd, path, O.Path | O.CloExec);
        if (probe < 0) return probe;
        long type = ChildFs.TypeOf(probe);
        Libc.Raw(Nr.Close, probe);
        if (type != S.IfReg) return -Errno.EINVAL;
        long fd = Libc.Raw(Nr.Openat, O.AtFdCwd, path, O.RdOnly | O.CloExec | O.NonBlock | O.NoCtty);
        if (fd < 0) return fd;
        if (ChildFs.TypeOf(fd) == S.IfReg) return fd;
        Libc.Raw(Nr.Close, fd);
        return -Errno.EINVAL;
    }

    /// <summary>
    /// Streams `name:pw:uid:gid:gecos:home:shell` lines through a stack buffer. The first line
    /// whose uid field is <paramref name="uid"/> (decimal digits) gives the home, written straight
    /// after "HOME=" (only a matching line writes there). As in runc, a matching line with fewer
    /// fields gives an empty home, and trailing white space of the line is not part of it.
    /// Returns false when no line matched completely.
    /// </summary>
    static bool Scan(int fd, byte* home, uint uid)
    {
        byte* buf = stackalloc byte[Chunk];
        const int capacity = EntrySize - Prefix - 1;
        // skip: the line cannot match (its uid field is another number or not one).
        int field = 0, len = 0;
        ulong value = 0;
        bool digits = false, skip = false, match = false, tooLong = false, content = false;
        long total = 0;
        while (total < MaxBytes)
        {
            long n;
            n = Libc.RawRetry(Nr.Read, fd, (long)buf, Math.Min(Chunk, MaxBytes - total));
            if (n < 0) return false;
            if (n == 0) return content && EndOfLine(home, len, field, tooLong, match || (field == 2 && !skip && digits && value == uid));
            total += n;
            for (int i = 0; i < n; i++)
            {
                byte c = buf[i];
                if (c == '\n')
                {
                    if (EndOfLine(home, len, field, tooLong, match || (field == 2 && !skip && digits && value == uid))) return true;
                    field = len = 0;
                    value = 0;
                    digits = skip = match = tooLong = content = false;
                    continue;
                }
                content = true;
                if (skip) continue;
                if (c == ':')
                {
                    if (field == 2)
                    {
                        match = digits && value == uid;
                        skip = !match;
                    }
                    field++;
                }
                else if (field == 2)
                {
                    digits = true;
                    if (c >= '0' && c <= '9') value = value * 10 + (uint)(c - '0');
                    if (c < '0' || c > '9' || value > uint.MaxValue) skip = true;
                }
                else if (field == 5 && match)
                {
                    if (len < capacity) home[len++] = c;
                    else tooLong = true;
                }
            }
        }
        return false;
    }

    /// <summary>A line ended: if it matched, finish the entry (a home too long for it stays "/") and say so.</summary>
    static bool EndOfLine(byte* home, int len, int field, bool tooLong, bool match)
    {
        if (!match) return false;
        if (tooLong) { home[0] = (byte)'/'; home[1] = 0; return true; }
        if (field == 5)
            while (len > 0 && home[len - 1] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\v' or (byte)'\f') len--;
        home[len] = 0;
        return true;
    }
}
