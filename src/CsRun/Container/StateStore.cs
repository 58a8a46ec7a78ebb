using System.Text.Json;
using CsRun.Diagnostics;
using CsRun.Errors;
using CsRun.Linux;

namespace CsRun.Container;

/// <summary>
/// The state directory (--root): one directory per container holding state.json and, until
/// `start`, the exec fifo. It is the source of truth for every command but create.
/// </summary>
internal sealed class StateStore
{
    public const string StateFile = "state.json";
    public const string FifoName = "exec.fifo";

    public string Root { get; }

    public StateStore(string root)
    {
        Root = Path.GetFullPath(root);
    }

    /// <summary>The container's directory; the id is validated so it can never leave --root.</summary>
    public string Dir(string id) => Path.Combine(Root, ContainerId.Validate(id));
    public string FifoPath(string id) => Path.Combine(Dir(id), FifoName);

    public bool Exists(string id) => File.Exists(Path.Combine(Dir(id), StateFile));

    public ContainerState Load(string id)
    {
        string file = Path.Combine(Dir(id), StateFile);
        byte[] bytes;
        try { bytes = File.ReadAllBytes(file); }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new RuntimeError($"container does not exist");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RuntimeError(SystemErrorText.Of(e, "open", file));
        }
        try
        {
            return StateCodec.Read(bytes);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw new CorruptStateError($"{file}: corrupt state: {Describe(e, bytes)}");
        }
    }

    /// <summary>The parse error in words (the reader's own messages are .NET's).</summary>
    static string Describe(Exception e, byte[] bytes)
    {
        if (bytes.Length == 0) return "empty file";
        if (e is not JsonException { LineNumber: long line, BytePositionInLine: long column }) return e is JsonException ? e.Message : "a value has the wrong type";
        long lineStart = 0;
        for (int i = 0, lines = 0; i < bytes.Length && lines < line; i++)
        {
            if (bytes[i] != '\n') continue;
            lines++;
            lineStart = i + 1;
        }
        return lineStart + column >= bytes.Length ? $"unexpected end of file after {bytes.Length} bytes" : $"invalid JSON at line {line + 1}, column {column + 1}";
    }

    /// <summary>Write state.json atomically (temp file, then rename).</summary>
    public void Save(ContainerState state)
    {
        Files.WriteAtomic(Path.Combine(Dir(state.Id), StateFile), StateCodec.Write(state));
    }

    /// <summary>
    /// Makes the container's directory and claims it with its create journal, locked until
    /// disposed. Fails if the id is taken; a directory that a killed create left is cleared
    /// away first (its processes and cgroups too) and made anew.
    /// </summary>
    public CreateJournal CreateDir(string id)
    {
        MakeRoot(Root);
        string dir = Dir(id);
        for (bool cleared = false; ; cleared = true)
        {
            long r = MkdirOnce(dir);
            if (r == 0) return CreateJournal.Claim(dir) ?? throw Taken(id);
            if (r != -Errno.EEXIST) throw new RuntimeError($"mkdir {dir}: {Errno.Message((int)-r)}");
            if (cleared || !ClearDeadCreate(id)) throw Taken(id);
        }
    }

    /// <summary>mkdir -p of --root, 0700 (runc's MkdirAll), failing as runc says it: "mkdir /run/x: permission denied".</summary>
    static void MakeRoot(string dir)
    {
        int r = KernelFile.Mkdir(dir, 0x1c0 /*0700*/);
        string parent = Path.GetDirectoryName(dir) ?? "/";
        if (r == -Errno.ENOENT && parent != dir)
        {
            MakeRoot(parent);
            r = KernelFile.Mkdir(dir, 0x1c0);
        }
        if (r != 0 && r != -Errno.EEXIST) throw new RuntimeError($"mkdir {dir}: {Errno.Message(-r)}");
    }

    static RuntimeError Taken(string id) => new($"container with id exists: {id}");

    /// <summary>
    /// Removes the state dir of a create that died, with what its journal names; false if the
    /// id is taken: by a finished container, a create still running (it holds the lock), or a
    /// directory without a journal (made by a csrun before journals).
    /// </summary>
    bool ClearDeadCreate(string id)
    {
        string dir = Dir(id);
        // Empty: made by a create killed before it linked its journal, or by one about to link
        // it, whose link then fails (the id is ours, and it says so).
        if (KernelFile.Rmdir(dir) == 0) return true;
        CreateJournal.Record? journal;
        try { journal = CreateJournal.OpenLocked(dir, TimeSpan.Zero); }
        catch (RuntimeError e)
        {
            Log.Debug(e.Message);
            return false;
        }
        using (journal)
        {
            if (journal == null || journal.Done) return false;
            Log.Warn($"removing what a killed create of {id} left behind ({journal.Path})");
            Remains.Remove(journal, parents: true);
            Remove(id);
            return true;
        }
    }

    static unsafe long MkdirOnce(string path)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(path + "\0");
        fixed (byte* p = bytes) return Libc.Sys(Nr.Mkdirat, O.AtFdCwd, (long)p, 0x1c0 /*0700*/);
    }

    public void Remove(string id)
    {
        string dir = Dir(id);
        int e = Files.RemoveTree(dir);
        if (e != 0) throw new RuntimeError($"remove {dir}: {Errno.Message(e)}");
    }

    public IEnumerable<string> Ids()
    {
        try
        {
            if (!Directory.Exists(Root)) return Array.Empty<string>();
            return Directory.EnumerateDirectories(Root)
                .Select(Path.GetFileName)
                .Where(n => n != null && File.Exists(Path.Combine(Root, n, StateFile)))
                .Select(n => n!)
                .OrderBy(n => n, StringComparer.Ordinal)
                .ToList();
        }
        catch (DirectoryNotFoundException) { return Array.Empty<string>(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RuntimeError(SystemErrorText.Of(e, "open", Root));
        }
    }

    /// <summary>An exclusive flock on the container's directory, held until disposed.</summary>
    public FileLock Lock(string id) => FileLock.Take(Dir(id));
}

/// <summary>state.json is there but cannot be read as a state: `delete --force` still removes the container.</summary>
internal sealed class CorruptStateError : RuntimeError
{
    public CorruptStateError(string message) : base(message) { }
}

/// <summary>flock(2) on a directory fd: serialises commands on one container.</summary>
internal sealed unsafe class FileLock : IDisposable
{
    int _fd;

    FileLock(int fd) { _fd = fd; }

    public static FileLock Take(string dir)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(dir + "\0");
        long fd;
        fixed (byte* p = bytes) fd = Libc.Sys(Nr.Openat, O.AtFdCwd, (long)p, O.RdOnly | O.Directory | O.CloExec);
        if (fd == -Errno.ENOENT) throw new RuntimeError("container does not exist");
        if (fd < 0) throw new RuntimeError($"open {dir}: {Errno.Message((int)-fd)}");
        long r;
        r = Libc.SysRetry(Nr.Flock, fd, 2 /*LOCK_EX*/);
        return new FileLock((int)fd);
    }

    public void Dispose()
    {
        if (_fd >= 0) Libc.Sys(Nr.Close, _fd);
        _fd = -1;
    }
}
