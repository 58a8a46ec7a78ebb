using CsRun.Diagnostics;
using CsRun.Linux;

namespace CsRun.Seccomp;

/// <summary>
/// Compiled seccomp filters kept under the state root (--root), one file per key
/// (<see cref="SeccompCacheKey"/>), so that a profile is compiled once, not on every create.
///
/// Trust: a cached filter is applied to containers as it is, so only whoever may already write
/// the state root may write here. The directory is made 0700 and used only if it is a real
/// directory (no symlink followed) owned by csrun's effective uid with no group or other
/// access; an entry is opened O_NOFOLLOW beneath that fd and used only if it is a regular file
/// of that owner, not writable by others, with one link, at most the largest filter in size,
/// and decodes whole for the same key (<see cref="SeccompCacheEntry"/>); anything else is
/// compiled afresh and written over. Entries are written to a temp name and renamed into place,
/// without fsync: a crash can leave a cut entry, which the checks refuse.
///
/// A root that cannot be written (read-only, or not ours) just means no cache: every create
/// compiles, as before. Nothing here ever fails a create.
/// </summary>
internal sealed unsafe class SeccompCache : IDisposable
{
    /// <summary>Not a valid container id (ContainerId allows no '~'), so no container's state
    /// dir can ever be this directory.</summary>
    public const string DirName = "~seccomp-cache";

    /// <summary>Past this many entries a store removes the oldest half (a profile per workload
    /// is the normal case; entries of an older csrun are never read again).</summary>
    const int MaxEntries = 64;

    readonly int _dir;

    SeccompCache(int dir) => _dir = dir;

    /// <summary>The cache under <paramref name="stateRoot"/>, made if need be; null if unusable.</summary>
    public static SeccompCache? Open(string stateRoot)
    {
        int root = Files.TryOpen(stateRoot, O.Path | O.Directory);
        if (root < 0) return Unusable($"open {stateRoot}", -root);
        try
        {
            int dir = OpenDir(root);
            if (dir == -Errno.ENOENT)
            {
                long made;
                fixed (byte* p = Name(DirName)) made = Libc.Sys(Nr.Mkdirat, root, (long)p, 0x1c0 /*0700*/);
                if (made < 0 && made != -Errno.EEXIST) return Unusable($"mkdir {stateRoot}/{DirName}", (int)-made);
                dir = OpenDir(root);
            }
            if (dir < 0) return Unusable($"open {stateRoot}/{DirName}", -dir);
            if (Fstat(dir, out var st) != 0 || (st.Mode & S.IfMt) != S.IfDir || st.Uid != Identity.EffectiveUid || (st.Mode & 0x3f /*077*/) != 0)
            {
                Files.Close(dir);
                return Unusable($"{stateRoot}/{DirName}: not a 0700 directory of uid {Identity.EffectiveUid}", 0);
            }
            return new SeccompCache(dir);
        }
        finally
        {
            Files.Close(root);
        }
    }

    static int OpenDir(int root)
    {
        fixed (byte* p = Name(DirName))
            return (int)Libc.Sys(Nr.Openat, root, (long)p, O.RdOnly | O.Directory | O.NoFollow | O.CloExec);
    }

    static SeccompCache? Unusable(string what, int errno)
    {
        Log.Debug($"seccomp cache not used: {what}{(errno != 0 ? ": " + Errno.Message(errno) : "")}");
        return null;
    }

    /// <summary>The filter stored for <paramref name="key"/>, or null.</summary>
    public CompiledSeccomp? Load(byte[] key)
    {
        string name = Convert.ToHexStringLower(key);
        int fd;
        fixed (byte* p = Name(name))
            fd = (int)Libc.Sys(Nr.Openat, _dir, (long)p, O.RdOnly | O.NoFollow | O.NonBlock | O.CloExec);
        if (fd < 0)
        {
            if (fd != -Errno.ENOENT) Log.Debug($"seccomp cache: open {name}: {Errno.Message(-fd)}");
            return null;
        }
        try
        {
            if (Fstat(fd, out var st) != 0 || (st.Mode & S.IfMt) != S.IfReg || st.Uid != Identity.EffectiveUid
                || (st.Mode & 0x12 /*022*/) != 0 || st.Links != 1 || st.Size > SeccompCacheEntry.MaxSize)
            {
                Log.Debug($"seccomp cache: {name} ignored: not a regular file of ours of a filter's size");
                return null;
            }
            var bytes = new byte[st.Size];
            for (long done = 0; done < bytes.Length;)
            {
                long n;
                fixed (byte* b = bytes) n = Libc.Sys(Nr.Pread64, fd, (long)(b + done), bytes.Length - done, done);
                if (n == -Errno.EINTR) continue;
                if (n <= 0) return null;
                done += n;
            }
            var compiled = SeccompCacheEntry.Decode(bytes, key, out string why);
            if (compiled == null) Log.Debug($"seccomp cache: {name} ignored: {why}");
            return compiled;
        }
        finally
        {
            Files.Close(fd);
        }
    }

    /// <summary>Stores <paramref name="compiled"/> for <paramref name="key"/>; a failure only
    /// means the next create compiles again.</summary>
    public void Store(byte[] key, CompiledSeccomp compiled)
    {
        string name = Convert.ToHexStringLower(key);
        string tmp = $".{name}.{Environment.ProcessId}.tmp";
        int e = WriteNew(tmp, SeccompCacheEntry.Encode(key, compiled));
        if (e == 0)
        {
            fixed (byte* from = Name(tmp))
            fixed (byte* to = Name(name))
                e = (int)-Libc.Sys(Nr.Renameat, _dir, (long)from, _dir, (long)to);
        }
        if (e != 0)
        {
            Log.Debug($"seccomp cache: storing {name}: {Errno.Message(e)}");
            Unlink(tmp);
            return;
        }
        Prune();
    }

    int WriteNew(string name, byte[] data)
    {
        int fd;
        fixed (byte* p = Name(name))
            fd = (int)Libc.Sys(Nr.Openat, _dir, (long)p, O.WrOnly | O.Creat | O.Excl | O.NoFollow | O.CloExec, 0x180 /*0600*/);
        if (fd < 0) return -fd;
        try
        {
            return Files.WriteAll(fd, data);
        }
        finally
        {
            Files.Close(fd);
        }
    }

    /// <summary>Keeps the directory small: past <see cref="MaxEntries"/> files the oldest half
    /// goes (temp files of crashed stores with them).</summary>
    void Prune()
    {
        var files = new DirectoryInfo($"/proc/self/fd/{_dir}").GetFiles();
        if (files.Length <= MaxEntries) return;
        foreach (var f in files.OrderBy(f => f.LastWriteTimeUtc).Take(files.Length - MaxEntries / 2))
            Unlink(f.Name);
    }

    void Unlink(string name)
    {
        fixed (byte* p = Name(name)) Libc.Sys(Nr.Unlinkat, _dir, (long)p, 0);
    }

    readonly record struct Stat(uint Mode, uint Uid, ulong Links, long Size);

    static int Fstat(int fd, out Stat stat)
    {
        byte* st = stackalloc byte[KStat.Size];
        long r = Libc.Sys(Nr.Fstat, fd, (long)st);
        stat = r < 0 ? default : new Stat(*(uint*)(st + KStat.Mode), *(uint*)(st + KStat.Uid), *(uint*)(st + KStat.Nlink), *(long*)(st + KStat.FileSize));
        return (int)-r;
    }

    static byte[] Name(string name) => System.Text.Encoding.ASCII.GetBytes(name + "\0");

    public void Dispose() => Files.Close(_dir);
}
