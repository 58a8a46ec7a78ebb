using CsRun.Diagnostics;
using CsRun.Launch;
using CsRun.Linux;

namespace CsRun.Container;

/// <summary>
/// `run` in the foreground passes the signals it gets on to the container's init, as runc does.
/// Signals are blocked and read from a signalfd: no handler runs managed code, nothing is async.
/// </summary>
internal sealed unsafe class SignalForwarder
{
    readonly int _signalFd;

    /// <summary>Signals we forward. SIGCHLD is ours; SIGKILL and SIGSTOP cannot be caught.
    /// src/native/early_signals.c blocks the same list before the runtime starts.</summary>
    internal static readonly int[] Forwarded =
        { 1, 2, 3, 6, 10, 12, 14, 15, 18, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31 };

    public static ulong ForwardedMask
    {
        get
        {
            ulong mask = 0;
            foreach (int s in Forwarded) mask |= 1UL << (s - 1);
            return mask;
        }
    }

    SignalForwarder(int fd) { _signalFd = fd; }

    public static SignalForwarder Start()
    {
        ulong mask = ForwardedMask;
        Libc.Sys(Nr.RtSigprocmask, 0 /*SIG_BLOCK*/, (long)&mask, 0, 8);
        if (!EarlySignals.BlockedBeforeRuntime) BlockOnFinalizerThread(mask);
        long fd = Libc.Sys(Nr.Signalfd4, -1, (long)&mask, 8, O.CloExec);
        return new SignalForwarder((int)fd);
    }

    /// <summary>
    /// A process-directed signal goes to any thread that does not block it, and the runtime
    /// started a finalizer thread before Main. A signalfd only sees signals every thread blocks,
    /// so we have that thread block them too: the one code we can run there is a finalizer.
    /// Only where the native constructor did not run first (a JIT test host).
    /// </summary>
    static void BlockOnFinalizerThread(ulong mask)
    {
        Create(mask);
        // The blocker is the youngest object there is: a gen0 collection finds it, and costs
        // a fraction of a full one.
        GC.Collect(0, GCCollectionMode.Forced, blocking: true);
        GC.WaitForPendingFinalizers();

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
        static void Create(ulong m) => _ = new MaskBlocker(m);
    }

    sealed class MaskBlocker
    {
        readonly ulong _mask;
        public MaskBlocker(ulong mask) { _mask = mask; }
        ~MaskBlocker()
        {
            ulong m = _mask;
            Libc.Sys(Nr.RtSigprocmask, 0 /*SIG_BLOCK*/, (long)&m, 0, 8);
        }
    }

    /// <summary>Wait for the init to exit, forwarding signals meanwhile (and with a console,
    /// copying between our stdio and the terminal); returns its wait status.</summary>
    public int WaitForExit(int pid, ConsoleProxy? console = null)
    {
        int status = WaitForwarding(pid, console);
        Log.Debug($"process exited: pid {pid}, status {Spawner.ExitCode(status)}");
        return status;
    }

    int WaitForwarding(int pid, ConsoleProxy? console)
    {
        long pidfd = Libc.Sys(Nr.PidfdOpen, pid, 0);
        if (pidfd < 0 || _signalFd < 0) return Spawner.Reap(pid);
        long* fds = stackalloc long[4];
        byte* info = stackalloc byte[128];
        try
        {
            while (true)
            {
                fds[0] = Poll((int)pidfd);
                fds[1] = Poll(_signalFd);
                int count = 2;
                if (console != null) count += console.FillPoll(fds + 2);
                long n = Portable.Poll(fds, count, -1);
                if (n == -Errno.EINTR) continue;
                if (n < 0) return Spawner.Reap(pid);
                if (console != null) console.Pump(fds + 2);
                if (Revents(fds[0]))
                {
                    console?.Drain();
                    return Spawner.Reap(pid);
                }
                if (Revents(fds[1]) && Libc.Sys(Nr.Read, _signalFd, (long)info, 128) == 128)
                {
                    int sig = *(int*)info; // ssi_signo
                    if (sig == Sig.Winch && console != null) console.Resize();
                    else
                    {
                        Log.Debug($"forwarding signal {sig} to {pid}");
                        Libc.Sys(Nr.Kill, pid, sig);
                    }
                }
            }
        }
        finally { Libc.Sys(Nr.Close, pidfd); }
    }

    static bool Revents(long pfd) => (((short*)&pfd)[3] & (1 | 8 | 16)) != 0; // POLLIN, POLLERR, POLLHUP

    internal static long Poll(int fd)
    {
        long v = 0;
        *(int*)&v = fd;
        ((short*)&v)[2] = 1; // POLLIN
        return v;
    }
}
