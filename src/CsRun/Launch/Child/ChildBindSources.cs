using CsRun.Linux;

namespace CsRun.Launch.Child;

/// <summary>
/// Bind mount sources opened by the host. In a user namespace the child is the namespace's root,
/// which may not reach a source the host's root can (a directory below a 0700 one). As runc
/// does, the source is opened with the host's credentials but in the child's mount namespace:
/// the child sends its "/" to the parent, which resolves every source from there and sends back
/// O_PATH fds. A bind from such an fd copies a mount of this namespace, so what the user
/// namespace locked stays locked (submounts, a read-only host mount), which a tree cloned in the
/// host's namespace (open_tree) would not be.
/// </summary>
internal static unsafe class ChildBindSources
{
    /// <summary>Ask for the <paramref name="count"/> sources and keep each fd in its slot.</summary>
    public static long Receive(ChildContext* ctx, int* slots, int count)
    {
        long root = Libc.Raw(Nr.Openat, O.AtFdCwd, (long)"/\0"u8.AsPointerUnsafe(), O.Path | O.Directory | O.CloExec);
        if (root < 0) return root;
        // Value -1: the parent reads the fd that rides along into it, and must not mistake a number for one.
        SyncMessage ask = new() { Type = (int)SyncType.BindSources, Value = -1 };
        long r = ChildConsole.SendWithFd(ctx->SyncFd, (byte*)&ask, sizeof(SyncMessage), (int)root);
        Libc.Raw(Nr.Close, root);
        if (r < 0) return r;
        for (int got = 0; got < count;)
        {
            SyncMessage msg;
            // The fds come up to MaxFds a message; Value is the index of the first.
            r = ReceiveBatch(ctx->SyncFd, &msg, slots + got, count - got);
            if (r < 0) return r;
            if (r == 0 || msg.Type != (int)SyncType.BindSource || msg.Value != got)
            {
                // EOF or a surprise: the parent gave up (it reports why). Leave quietly.
                Libc.Raw(Nr.ExitGroup, 1);
            }
            got += (int)r;
        }
        return 0;
    }

    /// <summary>
    /// Bind the slot's fd on the prepared target, then close it: it must not reach the container.
    /// open_tree(OPEN_TREE_CLONE) copies the source's mount (and its submounts, for rbind) as
    /// mount(MS_BIND) would, locks included, and move_mount attaches the copy to the target fd:
    /// no path through /proc/self/fd to resolve on either side.
    /// </summary>
    public static long Bind(ChildContext* ctx, int* slot, long flags)
    {
        int fd = *slot;
        if (fd < 0) return -Errno.EBADF;
        long cloneFlags = 1 /*OPEN_TREE_CLONE*/ | O.CloExec | O.AtEmptyPath | ((flags & (long)Ms.Rec) != 0 ? 0x8000 /*AT_RECURSIVE*/ : 0);
        long tree = Libc.Raw(Nr.OpenTree, fd, (long)"\0"u8.AsPointerUnsafe(), cloneFlags);
        Libc.Raw(Nr.Close, fd);
        *slot = -1;
        if (tree < 0) return tree;
        long r = ChildFs.AttachOnTarget(ctx, (int)tree);
        Libc.Raw(Nr.Close, tree);
        return r;
    }

    /// <summary>recvmsg of one message and its fds (close-on-exec) into <paramref name="fds"/>,
    /// at most <paramref name="room"/>: how many came (0 at EOF or without any), or -errno.</summary>
    static long ReceiveBatch(int socket, SyncMessage* msg, int* fds, int room)
    {
        long* iov = stackalloc long[2];
        iov[0] = (long)msg;
        iov[1] = sizeof(SyncMessage);
        const int ControlSize = 16 + UnixSockets.MaxFds * sizeof(int);
        byte* control = stackalloc byte[ControlSize];
        long* hdr = stackalloc long[7];
        long r;
        do
        {
            hdr[0] = 0; hdr[1] = 0; hdr[2] = (long)iov; hdr[3] = 1; hdr[4] = (long)control; hdr[5] = ControlSize; hdr[6] = 0;
            r = Libc.Raw(Nr.Recvmsg, socket, (long)hdr, 0x40000000 /*MSG_CMSG_CLOEXEC*/);
        }
        while (r == -Errno.EINTR);
        if (r <= 0) return r;
        // One cmsghdr (len, SOL_SOCKET, SCM_RIGHTS) and the fds after it.
        if (hdr[5] < 20 || *(int*)(control + 8) != 1 || *(int*)(control + 12) != 1) return 0;
        int n = (int)((*(long*)control - 16) / sizeof(int));
        for (int i = 0; i < n; i++)
        {
            int fd = ((int*)(control + 16))[i];
            if (i < room) fds[i] = fd;
            else Libc.Raw(Nr.Close, fd);
        }
        return n <= room ? n : 0;
    }
}
