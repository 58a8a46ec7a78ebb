using CsRun.Launch;
using CsRun.Linux;

namespace CsRun.Container;

/// <summary>
/// `run`/`exec` with process.terminal and no --console-socket: csrun holds the pty master and
/// copies our stdin to it and its output to our stdout, with our terminal in raw mode (runc's
/// behaviour). Driven by the caller's poll loop: no threads.
/// </summary>
internal sealed unsafe class ConsoleProxy : IDisposable
{
    const int Tcgets = 0x5401, Tcsets = 0x5402, Tiocgwinsz = 0x5413, Tiocswinsz = 0x5414;
    readonly int _master;
    readonly byte[] _savedTermios = new byte[60];
    bool _raw;
    bool _stdinOpen = true;

    public ConsoleProxy(int master)
    {
        _master = master;
        MakeRaw();
        Resize();
    }

    public int FillPoll(long* fds)
    {
        fds[0] = SignalForwarder.Poll(_master);
        if (!_stdinOpen) { fds[1] = SignalForwarder.Poll(-1); return 2; }
        fds[1] = SignalForwarder.Poll(0);
        return 2;
    }

    public void Pump(long* fds)
    {
        if (Ready(fds[0])) Copy(_master, 1);
        if (_stdinOpen && Ready(fds[1]) && Copy(0, _master) <= 0) _stdinOpen = false;
    }

    /// <summary>What the container wrote just before it exited.</summary>
    public void Drain()
    {
        while (Spawner.Poll(_master, 0) && Copy(_master, 1) > 0) { }
    }

    public void Resize()
    {
        ushort* ws = stackalloc ushort[4];
        if (Libc.Sys(Nr.Ioctl, 0, Tiocgwinsz, (long)ws) == 0) Libc.Sys(Nr.Ioctl, _master, Tiocswinsz, (long)ws);
    }

    static bool Ready(long pfd) => (((short*)&pfd)[3] & (1 | 8 | 16)) != 0;

    static long Copy(int from, int to)
    {
        byte* buf = stackalloc byte[8192];
        long n = Libc.Sys(Nr.Read, from, (long)buf, 8192);
        if (n <= 0) return n;
        for (long off = 0; off < n;)
        {
            long w = Libc.Sys(Nr.Write, to, (long)(buf + off), n - off);
            if (w == -Errno.EINTR) continue;
            if (w < 0) return w;
            off += w;
        }
        return n;
    }

    /// <summary>cfmakeraw on our stdin if it is a terminal; restored on Dispose.</summary>
    void MakeRaw()
    {
        fixed (byte* t = _savedTermios)
        {
            if (Libc.Sys(Nr.Ioctl, 0, Tcgets, (long)t) != 0) return;
            byte* raw = stackalloc byte[60];
            for (int i = 0; i < 60; i++) raw[i] = t[i];
            uint* flags = (uint*)raw; // c_iflag, c_oflag, c_cflag, c_lflag
            flags[0] &= ~0x5ebu; // IGNBRK BRKINT PARMRK ISTRIP INLCR IGNCR ICRNL IXON
            flags[1] &= ~1u;     // OPOST
            flags[2] = (flags[2] & ~0x130u) | 0x30u; // CSIZE, PARENB off; CS8
            flags[3] &= ~0x804bu; // ECHO ECHONL ICANON ISIG IEXTEN
            _raw = Libc.Sys(Nr.Ioctl, 0, Tcsets, (long)raw) == 0;
        }
    }

    public void Dispose()
    {
        if (_raw) fixed (byte* t = _savedTermios) Libc.Sys(Nr.Ioctl, 0, Tcsets, (long)t);
        Libc.Sys(Nr.Close, _master);
    }
}
