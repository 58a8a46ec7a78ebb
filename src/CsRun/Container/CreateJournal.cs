using System.Text;
using CsRun.Errors;
using CsRun.Linux;

namespace CsRun.Container;

/// <summary>
/// create.journal in the container's state dir: what a create is about to make, written BEFORE
/// it makes it, so that whatever a create killed at any point left behind can be found and
/// removed (<see cref="Remains"/>) by `delete --force`, or by the next create of the same id.
/// Records, each one write(2) with O_APPEND: the cgroup directories (before any mkdir), each
/// parent directory about to be made for them, each process as soon as its pid is known (with its
/// start time, so that a recycled pid is never killed), and "done" once create has finished.
///
/// The journal is linked into the state dir already locked (O_TMPFILE, a POSIX write lock, then
/// linkat): whoever links it owns the id, and a journal that nobody holds a lock on, without
/// "done", is the record of a dead create. POSIX (fcntl) locks belong to the process and are
/// not inherited by the cloned init, so the lock goes when csrun does, however it ends.
///
/// No fsync: the state dir lives in /run (tmpfs), which a host crash empties along with every
/// cgroup and process the journal could name; only the death of csrun itself matters here.
/// Records are NUL-separated fields (no path can hold a NUL); a torn last record is ignored.
/// </summary>
internal sealed unsafe class CreateJournal : IDisposable
{
    public const string FileName = "create.journal";

    const int AtSymlinkFollow = 0x400;
    const int FGetLk = 5, FSetLk = 6;
    const short FWrLck = 1, FUnLck = 2;

    const string Cgroup = "c", Systemd = "s", Parent = "p", Process = "i", Done = "d";

    int _fd;

    CreateJournal(int fd) { _fd = fd; }

    /// <summary>
    /// Claims the freshly made state dir for this create; null if another create got there
    /// first (it linked its own journal, or removed the directory as a dead create's).
    /// </summary>
    public static CreateJournal? Claim(string dir)
    {
        int fd = Files.TryOpen(dir, O.TmpFile | O.WrOnly, 0x180 /*0600*/);
        if (fd == -Errno.ENOENT) return null;
        if (fd < 0) throw new RuntimeError($"open {dir} (O_TMPFILE): {Errno.Message(-fd)}");
        try
        {
            // Nobody else can reach the inode yet: this never waits.
            int e = SetLock(fd, FWrLck);
            if (e != 0) throw new RuntimeError($"lock {Path.Combine(dir, FileName)}: {Errno.Message(e)}");
            long r;
            fixed (byte* from = Encoding.UTF8.GetBytes($"/proc/self/fd/{fd}\0"))
            fixed (byte* to = Encoding.UTF8.GetBytes(Path.Combine(dir, FileName) + "\0"))
                r = Libc.Sys(Nr.Linkat, O.AtFdCwd, (long)from, O.AtFdCwd, (long)to, AtSymlinkFollow);
            if (r == -Errno.EEXIST || r == -Errno.ENOENT)
            {
                Files.Close(fd);
                return null;
            }
            if (r < 0) throw new RuntimeError($"link {Path.Combine(dir, FileName)}: {Errno.Message((int)-r)}");
            return new CreateJournal(fd);
        }
        catch
        {
            Files.Close(fd);
            throw;
        }
    }

    /// <summary>The container's cgroup directories, before any is made; one write.</summary>
    public void Cgroups(IReadOnlyDictionary<string, string> paths, bool systemd)
    {
        var sb = new StringBuilder();
        if (systemd) sb.Append(Systemd).Append('\0');
        foreach (var (key, dir) in paths) sb.Append(Cgroup).Append('\0').Append(key).Append('\0').Append(dir).Append('\0');
        Append(sb.ToString());
    }

    /// <summary>A parent directory of the container's cgroup that create is about to make.</summary>
    public void ParentCgroup(string dir) => Append($"{Parent}\0{dir}\0");

    /// <summary>A process of the container-to-be (the cloned child, the init it forked).</summary>
    public void ProcessStarted(int pid, ulong startTime) => Append($"{Process}\0{pid}\0{startTime}\0");

    /// <summary>Create has finished: from here on the state file speaks for the container.</summary>
    public void Finished() => Append(Done + "\0");

    void Append(string record)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(record);
        long n;
        fixed (byte* p = bytes)
        {
            n = Libc.SysRetry(Nr.Write, _fd, (long)p, bytes.Length);
        }
        if (n < 0) throw new RuntimeError($"write {FileName}: {Errno.Message((int)-n)}");
    }

    public void Dispose()
    {
        Files.Close(_fd);
        _fd = -1;
    }

    /// <summary>
    /// Opens the container's journal and takes its lock, waiting up to <paramref name="wait"/>
    /// for a create still running; null if there is no journal (no state dir, or one made by a
    /// csrun before journals). Throws if the create holding it does not end in time.
    /// </summary>
    public static Record? OpenLocked(string dir, TimeSpan wait)
    {
        string path = Path.Combine(dir, FileName);
        int fd = Files.TryOpen(path, O.RdWr | O.NoFollow);
        if (fd == -Errno.ENOENT || fd == -Errno.ENOTDIR) return null;
        if (fd < 0) throw new RuntimeError($"open {path}: {Errno.Message(-fd)}");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        int delay = 1;
        while (true)
        {
            int e = SetLock(fd, FWrLck);
            if (e == 0) break;
            if (e is not (Errno.EAGAIN or Errno.EACCES) || clock.Elapsed > wait)
            {
                Files.Close(fd);
                throw new RuntimeError(e is Errno.EAGAIN or Errno.EACCES
                    ? $"container is being created: {path} is locked by a running create (pid {LockHolder(fd)})"
                    : $"lock {path}: {Errno.Message(e)}");
            }
            Thread.Sleep(delay);
            delay = Math.Min(delay * 2, 50);
        }
        int r = Files.ReadToEnd(fd, out byte[] data);
        if (r != 0)
        {
            Files.Close(fd);
            throw new RuntimeError($"read {path}: {Errno.Message(r)}");
        }
        return Parse(fd, path, data);
    }

    /// <summary>The journal as it stands, without its lock (what `list` shows); null if there is none.</summary>
    public static Record? Peek(string dir)
    {
        string path = Path.Combine(dir, FileName);
        int fd = Files.TryOpen(path, O.RdOnly | O.NoFollow);
        if (fd < 0) return null;
        int r = Files.ReadToEnd(fd, out byte[] data);
        return r == 0 ? Parse(fd, path, data) : null;
    }

    static Record Parse(int fd, string path, byte[] data)
    {
        var rec = new Record(fd, path);
        var f = Encoding.UTF8.GetString(data).Split('\0');
        // The last field is what follows the last NUL: empty, or a torn record.
        int n = f.Length - 1;
        for (int i = 0; i < n;)
        {
            string kind = f[i];
            int need = kind switch { Cgroup => 3, Parent => 2, Process => 3, _ => 1 };
            if (i + need > n) break;
            switch (kind)
            {
                case Cgroup: rec.CgroupPaths[f[i + 1]] = f[i + 2]; break;
                case Systemd: rec.Systemd = true; break;
                case Parent: rec.Parents.Add(f[i + 1]); break;
                case Process:
                    if (int.TryParse(f[i + 1], out int pid) && ulong.TryParse(f[i + 2], out ulong start)) rec.Processes.Add((pid, start));
                    break;
                case Done: rec.Done = true; break;
            }
            i += need;
        }
        return rec;
    }

    static int SetLock(int fd, short type)
    {
        // struct flock (x86_64): l_type, l_whence (short); l_start, l_len (off_t); l_pid.
        byte* fl = stackalloc byte[32];
        new Span<byte>(fl, 32).Clear();
        *(short*)fl = type;
        long r = Libc.Sys(Nr.Fcntl, fd, FSetLk, (long)fl);
        return r < 0 ? (int)-r : 0;
    }

    static int LockHolder(int fd)
    {
        byte* fl = stackalloc byte[32];
        new Span<byte>(fl, 32).Clear();
        *(short*)fl = FWrLck;
        return Libc.Sys(Nr.Fcntl, fd, FGetLk, (long)fl) == 0 && *(short*)fl != FUnLck ? *(int*)(fl + 24) : 0;
    }

    /// <summary>A journal read under its lock, held until disposed.</summary>
    internal sealed class Record : IDisposable
    {
        int _fd;

        public Record(int fd, string path) { _fd = fd; Path = path; }

        public string Path { get; }
        public Dictionary<string, string> CgroupPaths { get; } = new();
        public bool Systemd { get; set; }
        public List<string> Parents { get; } = new();
        public List<(int Pid, ulong StartTime)> Processes { get; } = new();
        public bool Done { get; set; }

        /// <summary>The init (the last process recorded) if it is still alive, else 0.</summary>
        public int LiveInit => Processes.Count > 0 && ProcessInfo.IsAlive(Processes[^1].Pid, Processes[^1].StartTime) ? Processes[^1].Pid : 0;

        public void Dispose()
        {
            Files.Close(_fd);
            _fd = -1;
        }
    }
}
