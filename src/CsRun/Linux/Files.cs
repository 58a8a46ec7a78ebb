using System.Text;
using CsRun.Cli;

namespace CsRun.Linux;

/// <summary>Parent-side file calls that .NET has no API for (fifos, O_PATH, raw fds).</summary>
internal static unsafe class Files
{
    static byte[] CPath(string path) => Encoding.UTF8.GetBytes(path + "\0");

    public static void Mkfifo(string path, uint mode)
    {
        long r;
        fixed (byte* p = CPath(path)) r = Libc.Sys(Nr.Mknod, (long)p, S.IfIfo | mode, 0);
        if (r < 0) throw new RuntimeError($"mkfifo {path}: {Errno.Message((int)-r)}");
        // mknod honours the umask; the fifo must be writable by the container's user.
        fixed (byte* p = CPath(path)) Libc.Sys(Nr.Chmod, (long)p, mode);
    }

    /// <summary>open(2); returns the fd or -errno.</summary>
    public static int TryOpen(string path, int flags, uint mode = 0)
    {
        fixed (byte* p = CPath(path)) return (int)Libc.Sys(Nr.Open, (long)p, flags | O.CloExec, mode);
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
        int fd = Open(path, O.WrOnly, what);
        try
        {
            var bytes = Encoding.UTF8.GetBytes(content);
            long r;
            fixed (byte* b = bytes) r = Libc.Sys(Nr.Write, fd, (long)b, bytes.Length);
            if (r < 0) throw new RuntimeError($"{what}: write {path}: {Errno.Message((int)-r)}");
        }
        finally { Close(fd); }
    }

    public static void WriteAtomic(string path, string content)
    {
        string dir = Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";
        string tmp = Path.Combine(dir, "." + Path.GetFileName(path) + ".tmp");
        File.WriteAllText(tmp, content);
        File.Move(tmp, path, overwrite: true);
    }
}
