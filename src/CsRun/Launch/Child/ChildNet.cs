using CsRun.Linux;

namespace CsRun.Launch.Child;

/// <summary>
/// A new network namespace starts with `lo` down; runc brings it up in every namespace it
/// creates, and callers depend on it: a service reaching 127.0.0.1 without CNI, sidecars that
/// join the namespace by path (`ctr run --with-ns network:…`).
/// </summary>
internal static unsafe class ChildNet
{
    const int SiocGifFlags = 0x8913, SiocSifFlags = 0x8914;
    const short IffUp = 1;

    public static long LoopbackUp()
    {
        long sock = Libc.Raw(Nr.Socket, 2 /*AF_INET*/, 2 /*SOCK_DGRAM*/ | O.CloExec, 0);
        if (sock < 0) return sock;
        // struct ifreq: the name (16 bytes), then ifr_flags in the union.
        byte* ifr = stackalloc byte[40];
        for (int i = 0; i < 40; i++) ifr[i] = 0;
        ifr[0] = (byte)'l';
        ifr[1] = (byte)'o';
        long r = Libc.Raw(Nr.Ioctl, sock, SiocGifFlags, (long)ifr);
        if (r >= 0)
        {
            *(short*)(ifr + 16) |= IffUp;
            r = Libc.Raw(Nr.Ioctl, sock, SiocSifFlags, (long)ifr);
        }
        Libc.Raw(Nr.Close, sock);
        return r < 0 ? r : 0;
    }
}
