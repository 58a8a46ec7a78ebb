using System.Runtime.InteropServices;
using CsRun.Errors;
using CsRun.Linux;

namespace CsRun.Launch;

/// <summary>Messages between the parent and the child over a SOCK_SEQPACKET socketpair.</summary>
internal enum SyncType
{
    /// <summary>Parent → child: cgroup joined (and id maps written on the fast path): go on.</summary>
    Go = 1,
    /// <summary>Child → parent: a new user namespace exists; write its maps.</summary>
    NeedMaps = 2,
    MapsDone = 3,
    /// <summary>Child → parent: Value is the container init's pid (after an extra fork).</summary>
    InitPid = 4,
    /// <summary>Child → parent: mounts done, before pivot_root: run prestart/createRuntime/createContainer hooks.</summary>
    Hooks = 5,
    HooksDone = 6,
    /// <summary>Child → parent: set up; about to wait for start.</summary>
    Ready = 7,
    /// <summary>Child → parent: step Step failed with Errno.</summary>
    Error = 8,
    /// <summary>Parent → child: Value bytes of payload follow in the same packet.</summary>
    Payload = 9,
    /// <summary>Child → parent: the seccomp notify listener rides along (SCM_RIGHTS); Receive puts its fd in Value.</summary>
    SeccompFd = 10,
    /// <summary>Child → parent: in its final mount namespace, its "/" rides along (SCM_RIGHTS): open
    /// the bind mount sources there with the host's credentials (Rootfs/HostBindSources).</summary>
    BindSources = 11,
    /// <summary>Parent → child: one bind mount source, an O_PATH fd (SCM_RIGHTS); Value is its index.</summary>
    BindSource = 12,
    /// <summary>Child → parent: in all its namespaces; move linux.netDevices into its network namespace.</summary>
    NetDevices = 13,
    NetDevicesDone = 14,
    /// <summary>Child → parent: a cloned, detached tree rides along (SCM_RIGHTS); Step is its index in
    /// the id-mapped mounts: set MOUNT_ATTR_IDMAP on it (Rootfs/IdmapSetattr).</summary>
    IdmapTree = 15,
    IdmapDone = 16,
}

[StructLayout(LayoutKind.Sequential)]
internal struct SyncMessage
{
    public int Type;
    public int Step;
    public int Errno;
    public int Value;
}

/// <summary>Parent side of the sync socket (blocking calls, with the GC transition).</summary>
internal static unsafe class SyncChannel
{
    public const int MsgNoSignal = 0x4000;

    public static (int Parent, int Child) CreatePair()
    {
        int* fds = stackalloc int[2];
        long r = Libc.Sys(Nr.Socketpair, 1 /*AF_UNIX*/, 5 /*SOCK_SEQPACKET*/ | O.CloExec, 0, (long)fds);
        if (r < 0) throw new RuntimeError($"socketpair: {Errno.Message((int)-r)}");
        return (fds[0], fds[1]);
    }

    /// <summary>A stream socketpair (the console socket csrun hands itself when it proxies a terminal).</summary>
    public static (int Ours, int Theirs) CreateStreamPair()
    {
        int* fds = stackalloc int[2];
        long r = Libc.Sys(Nr.Socketpair, 1 /*AF_UNIX*/, 1 /*SOCK_STREAM*/ | O.CloExec, 0, (long)fds);
        if (r < 0) throw new RuntimeError($"socketpair: {Errno.Message((int)-r)}");
        return (fds[0], fds[1]);
    }

    public static void Send(int fd, SyncType type, int value = 0, ReadOnlySpan<byte> payload = default)
    {
        var buf = new byte[sizeof(SyncMessage) + payload.Length];
        var msg = new SyncMessage { Type = (int)type, Value = payload.Length > 0 ? payload.Length : value };
        MemoryMarshal.Write(buf, in msg);
        payload.CopyTo(buf.AsSpan(sizeof(SyncMessage)));
        fixed (byte* p = buf)
        {
            long r;
            r = Libc.SysRetry(Nr.Sendto, fd, (long)p, buf.Length, MsgNoSignal, 0, 0);
            if (r < 0) throw new RuntimeError($"sync with container init: send: {Errno.Message((int)-r)}");
        }
    }

    /// <summary>The next message, or null at EOF (the child exited or exec'd).</summary>
    public static SyncMessage? Receive(int fd)
    {
        SyncMessage msg;
        long r;
        bool reset = false;
        long* iov = stackalloc long[2];
        byte* control = stackalloc byte[32];
        long* hdr = stackalloc long[7];
        while (true)
        {
            iov[0] = (long)&msg; iov[1] = sizeof(SyncMessage);
            hdr[0] = 0; hdr[1] = 0; hdr[2] = (long)iov; hdr[3] = 1; hdr[4] = (long)control; hdr[5] = 32; hdr[6] = 0;
            r = Libc.Sys(Nr.Recvmsg, fd, (long)hdr, 0x40000000 /*MSG_CMSG_CLOEXEC*/);
            if (r == -Errno.EINTR) continue;
            // A child that exits with a message of ours unread resets the socket, and the reset is
            // reported before what it sent last (its error, say), which the next read returns.
            if (r == -Errno.ECONNRESET && !reset) { reset = true; continue; }
            break;
        }
        if (r == 0 || r == -Errno.ECONNRESET) return null;
        if (r < 0) throw new RuntimeError($"sync with container init: read: {Errno.Message((int)-r)}");
        // An fd sent with SCM_RIGHTS (cmsg_len, level SOL_SOCKET, type SCM_RIGHTS, then the fd).
        if (hdr[5] >= 20 && *(int*)(control + 8) == 1 && *(int*)(control + 12) == 1) msg.Value = *(int*)(control + 16);
        return msg;
    }
}
