using CsRun.Linux;

namespace CsRun.Container;

/// <summary>
/// The forwarded signals arrive blocked in every thread when the binary's constructor
/// (src/native/early_signals.c) ran before the runtime: Main gives them back to its own thread
/// and remembers, so SignalForwarder need not make the finalizer thread block them.
/// </summary>
internal static unsafe class EarlySignals
{
    /// <summary>Whether every forwarded signal was blocked when Main began (false in a JIT host).</summary>
    public static bool BlockedBeforeRuntime { get; private set; }

    public static void ReleaseOnMainThread(ulong forwarded)
    {
        ulong old = 0;
        if (Libc.Sys(Nr.RtSigprocmask, 1 /*SIG_UNBLOCK*/, (long)&forwarded, (long)&old, 8) < 0) return;
        BlockedBeforeRuntime = (old & forwarded) == forwarded;
    }
}
