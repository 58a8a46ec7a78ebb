using System.Buffers.Binary;
using CsRun.Errors;

namespace CsRun.Linux;

/// <summary>
/// A NETLINK_ROUTE socket of the parent (blocking calls): requests answered or acknowledged,
/// and dumps. Results are 0 or -errno, as the kernel's NLMSG_ERROR gives them.
/// </summary>
internal sealed unsafe class RtNetlink : IDisposable
{
    public const ushort RtmNewLink = 16, RtmGetLink = 18, RtmNewAddr = 20, RtmGetAddr = 22;
    public const ushort FRequest = 1, FAck = 4, FDump = 0x300, FReplace = 0x100, FCreate = 0x400;
    const ushort NlmsgError = 2, NlmsgDone = 3;
    const int AfNetlink = 16, SockRaw = 3, NetlinkRoute = 0, SockCloexec = 0x80000;
    // A dump answers in datagrams of up to 32 KiB (and a page more on large-page hosts).
    const int ReceiveSize = 64 * 1024;

    readonly int _fd;
    uint _seq;
    readonly byte[] _receive = new byte[ReceiveSize];

    RtNetlink(int fd) => _fd = fd;

    /// <summary>A socket in the calling thread's network namespace, or -errno.</summary>
    public static int Open(out RtNetlink? socket)
    {
        socket = null;
        long fd = Libc.Sys(Nr.Socket, AfNetlink, SockRaw | SockCloexec, NetlinkRoute);
        if (fd < 0) return (int)fd;
        socket = new RtNetlink((int)fd);
        return 0;
    }

    /// <summary>
    /// A socket that lives in the network namespace <paramref name="netnsFd"/> refers to: this
    /// thread enters it, makes the socket and comes back (setns of a network namespace is
    /// per thread, so csrun's other threads never leave the host's). The socket keeps the
    /// namespace alive until it is closed.
    /// </summary>
    public static int OpenIn(int netnsFd, out RtNetlink? socket)
    {
        socket = null;
        int home = Files.TryOpen("/proc/thread-self/ns/net", O.RdOnly | O.CloExec);
        if (home < 0) return home;
        try
        {
            long r = Libc.Sys(Nr.Setns, netnsFd, CloneFlags.NewNet);
            if (r < 0) return (int)r;
            int opened = Open(out socket);
            r = Libc.Sys(Nr.Setns, home, CloneFlags.NewNet);
            // Left in the container's namespace, csrun would run prestart hooks there: stop here.
            if (r < 0) throw new RuntimeError($"setns back to the runtime's network namespace: {Errno.Message((int)-r)}");
            return opened;
        }
        finally
        {
            Files.Close(home);
        }
    }

    /// <summary>Sends a request that sets something, with NLM_F_ACK, and waits for the ack.</summary>
    public int Change(NetlinkMessage request) => Exchange(request, ack: true, out _);

    /// <summary>Sends a request that gets one object; <paramref name="reply"/> is its payload
    /// (family header and attributes).</summary>
    public int Get(NetlinkMessage request, out byte[]? reply) => Exchange(request, ack: false, out reply);

    /// <summary>Sends a dump request and collects every answer's payload until NLMSG_DONE.</summary>
    public int Dump(NetlinkMessage request, List<byte[]> replies)
    {
        uint seq = ++_seq;
        int r = Send(request.Finish(seq));
        if (r < 0) return r;
        while (true)
        {
            r = ReceiveAll(seq, (type, payload) =>
            {
                if (type == NlmsgDone) return 1;
                if (type == NlmsgError) return ErrorCode(payload) is var e and < 0 ? e : 0;
                replies.Add(payload);
                return 0;
            });
            if (r != 0) return r < 0 ? r : 0;
        }
    }

    int Exchange(NetlinkMessage request, bool ack, out byte[]? reply)
    {
        uint seq = ++_seq;
        byte[]? got = null;
        int r = Send(request.Finish(seq));
        while (r == 0)
        {
            r = ReceiveAll(seq, (type, payload) =>
            {
                if (type == NlmsgError) return ErrorCode(payload) is var e and < 0 ? e : 1;
                got ??= payload;
                return ack ? 0 : 1;
            });
        }
        reply = got;
        return r < 0 ? r : 0;
    }

    /// <summary>The error of an NLMSG_ERROR payload (0 for an ack).</summary>
    static int ErrorCode(byte[] payload) => payload.Length >= 4 ? BinaryPrimitives.ReadInt32LittleEndian(payload) : -Errno.EIO;

    int Send(byte[] msg)
    {
        // struct sockaddr_nl: the kernel (pid 0), no groups.
        byte* to = stackalloc byte[12];
        for (int i = 0; i < 12; i++) to[i] = 0;
        *(ushort*)to = AfNetlink;
        fixed (byte* p = msg)
        {
            long r = Libc.SysRetry(Nr.Sendto, _fd, (long)p, msg.Length, 0, (long)to, 12);
            return r < 0 ? (int)r : 0;
        }
    }

    /// <summary>Reads one datagram and hands each message of ours to <paramref name="handle"/>,
    /// which returns 0 to go on, 1 when done, or -errno. Returns the first non-zero answer
    /// (0 when the datagram ended first).</summary>
    int ReceiveAll(uint seq, Func<ushort, byte[], int> handle)
    {
        long n;
        fixed (byte* p = _receive) n = Libc.SysRetry(Nr.Recvfrom, _fd, (long)p, _receive.Length, 0, 0, 0);
        if (n < 0) return (int)n;
        int at = 0;
        while (at + NetlinkMessage.HeaderSize <= n)
        {
            int len = (int)BinaryPrimitives.ReadUInt32LittleEndian(_receive.AsSpan(at));
            if (len < NetlinkMessage.HeaderSize || at + len > n) return -Errno.EIO;
            ushort type = BinaryPrimitives.ReadUInt16LittleEndian(_receive.AsSpan(at + 4));
            uint msgSeq = BinaryPrimitives.ReadUInt32LittleEndian(_receive.AsSpan(at + 8));
            if (msgSeq == seq)
            {
                int r = handle(type, _receive.AsSpan(at + NetlinkMessage.HeaderSize, len - NetlinkMessage.HeaderSize).ToArray());
                if (r != 0) return r;
            }
            at += (len + 3) & ~3;
        }
        return 0;
    }

    public void Dispose() => Files.Close(_fd);
}
