using CsRun.Errors;
using CsRun.Launch;
using CsRun.Launch.Child;
using CsRun.Linux;

namespace CsRun.Rootfs;

/// <summary>
/// Bind mount sources of a container with a user namespace (new or joined), resolved as the host
/// resolves them: the child, once in its final mount namespace, sends its "/" and the parent
/// opens each source below it (symlinks followed as on the host) with its own credentials, then
/// hands the fds back (<see cref="ChildBindSources"/>). runc 1.1.5 does the same with its mount
/// fds. Without a user namespace the child has the host's credentials and binds by path.
/// </summary>
internal static unsafe class HostBindSources
{
    public static bool Apply(CompileContext ctx) => ctx.InUserNamespace;

    /// <summary>The step that receives the sources, first among the mounts; its count is filled by
    /// <see cref="Finish"/>. Slots for up to <paramref name="mounts"/> fds, all -1.</summary>
    public static Step Begin(SetupProgram p, int mounts)
    {
        int* slots = (int*)p.Arena.Alloc(sizeof(int) * Math.Max(1, mounts));
        for (int i = 0; i < mounts; i++) slots[i] = -1;
        return ReceiveBindSourcesStep.Emit(p, "mounts", "open the bind mount sources on the host", slots);
    }

    /// <summary>Bind the next source, opened by the parent, on the prepared target.</summary>
    public static void Bind(SetupProgram p, Step receive, string field, string source, string dest, ulong recursive)
    {
        int* slot = Reserve(p, receive, field, source);
        BindFromSourceStep.Emit(p, field, $"bind {source} (opened on the host) on {dest}{(recursive != 0 ? " recursively" : "")}",
            slot, (long)recursive);
    }

    /// <summary>The slot the parent's fd for the next source goes into.</summary>
    public static int* Reserve(SetupProgram p, Step receive, string field, string source)
    {
        int* slot = receive.ArgsAs<ReceiveBindSourcesStep>().Slots + p.BindSources.Count;
        p.BindSources.Add((field, source));
        return slot;
    }

    /// <summary>Set the count, or drop the step when no mount is a bind.</summary>
    public static void Finish(SetupProgram p, Step receive)
    {
        receive.ArgsAs<ReceiveBindSourcesStep>().Count = p.BindSources.Count;
        if (p.BindSources.Count == 0) p.Steps.Remove(receive);
    }

    /// <summary>
    /// Parent side of ReceiveBindSources: open every source below <paramref name="root"/> (the
    /// child's "/", which this closes) and send the fds, up to <see cref="UnixSockets.MaxFds"/> a
    /// message (one wake-up of the child each). A source that cannot be opened fails the create
    /// naming it; the child is killed where it waits.
    /// </summary>
    public static void Send(int syncFd, int root, SetupProgram p)
    {
        Span<int> fds = stackalloc int[UnixSockets.MaxFds];
        int open = 0;
        try
        {
            if (root < 0) throw new RuntimeError("mounts: the container init sent no root to open the bind mount sources from");
            int count = p.BindSources.Count;
            for (int first = 0; first < count; first += UnixSockets.MaxFds)
            {
                int batch = Math.Min(UnixSockets.MaxFds, count - first);
                for (open = 0; open < batch; open++)
                {
                    var (field, source) = p.BindSources[first + open];
                    int fd = Open(root, source);
                    if (fd == -Errno.EXDEV) throw new RuntimeError($"{field}.source: open {source}: a magic link on the way leads out of the container's mount namespace to something other than a namespace file");
                    if (fd < 0) throw new RuntimeError($"{field}.source: open {source}: {Errno.Message(-fd)}");
                    fds[open] = fd;
                }
                // Value: the index of the first source in this message.
                var msg = new SyncMessage { Type = (int)SyncType.BindSource, Value = first };
                int r = UnixSockets.SendFds(syncFd, new ReadOnlySpan<byte>(&msg, sizeof(SyncMessage)), fds[..open]);
                CloseAll(fds[..open]);
                open = 0;
                if (r < 0) throw new RuntimeError($"sync with container init: send: {Errno.Message(-r)}");
            }
        }
        finally
        {
            CloseAll(fds[..open]);
            Files.Close(root);
        }
    }

    static void CloseAll(ReadOnlySpan<int> fds)
    {
        foreach (int fd in fds) Files.Close(fd);
    }

    /// <summary>
    /// The source below the child's root, or -errno. openat2 refuses a magic link there (EXDEV);
    /// a namespace file (/proc/&lt;pid&gt;/ns/net) is bound through one, and is the one kind of file a
    /// bind takes from another mount namespace: for it, and only for it, the host's own lookup is used.
    /// </summary>
    static int Open(int root, string source)
    {
        int fd = Files.TryOpenInRoot(root, source, O.Path);
        if (fd != -Errno.EXDEV) return fd;
        fd = Files.TryOpen(source, O.Path);
        if (fd < 0 || Files.FsType(fd) == Magic.Nsfs) return fd;
        Files.Close(fd);
        return -Errno.EXDEV;
    }
}
