using CsRun.Linux;

namespace CsRun.Launch;

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
        long root = Libc.Raw(Nr.Open, (long)"/\0"u8.AsPointerUnsafe(), O.Path | O.Directory | O.CloExec);
        if (root < 0) return root;
        // Value -1: the parent reads the fd that rides along into it, and must not mistake a number for one.
        SyncMessage ask = new() { Type = (int)SyncType.BindSources, Value = -1 };
        long r = ChildConsole.SendWithFd(ctx->SyncFd, (byte*)&ask, sizeof(SyncMessage), (int)root);
        Libc.Raw(Nr.Close, root);
        if (r < 0) return r;
        for (int i = 0; i < count; i++)
        {
            SyncMessage msg;
            int fd = -1;
            r = ReceiveOne(ctx->SyncFd, &msg, &fd);
            if (r < 0) return r;
            if (r == 0 || msg.Type != (int)SyncType.BindSource || msg.Value != i || fd < 0)
            {
                // EOF or a surprise: the parent gave up (it reports why). Leave quietly.
                Libc.Raw(Nr.ExitGroup, 1);
            }
            slots[i] = fd;
        }
        return 0;
    }

    /// <summary>Bind the slot's fd on the prepared target, then close it: it must not reach the container.</summary>
    public static long Bind(ChildContext* ctx, int* slot, long flags)
    {
        int fd = *slot;
        if (fd < 0) return -Errno.EBADF;
        byte* source = stackalloc byte[32];
        ChildFs.ProcFdPath(source, fd);
        long r = ChildFs.BindOnTarget(ctx, (long)source, flags);
        Libc.Raw(Nr.Close, fd);
        *slot = -1;
        return r;
    }

    /// <summary>recvmsg of one message and at most one fd (close-on-exec); the byte count or -errno.</summary>
    static long ReceiveOne(int socket, SyncMessage* msg, int* fd)
    {
        long* iov = stackalloc long[2];
        iov[0] = (long)msg;
        iov[1] = sizeof(SyncMessage);
        byte* control = stackalloc byte[24];
        long* hdr = stackalloc long[7];
        long r;
        do
        {
            hdr[0] = 0; hdr[1] = 0; hdr[2] = (long)iov; hdr[3] = 1; hdr[4] = (long)control; hdr[5] = 24; hdr[6] = 0;
            r = Libc.Raw(Nr.Recvmsg, socket, (long)hdr, 0x40000000 /*MSG_CMSG_CLOEXEC*/);
        }
        while (r == -Errno.EINTR);
        if (r > 0 && hdr[5] >= 20 && *(int*)(control + 8) == 1 && *(int*)(control + 12) == 1) *fd = *(int*)(control + 16);
        return r;
    }
}
