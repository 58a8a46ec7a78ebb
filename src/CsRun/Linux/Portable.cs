namespace CsRun.Linux;

/// <summary>
/// poll(2) and dup2(2), which arm64 does not have, on the calls both architectures have (ppoll,
/// dup3), with the old semantics kept. Safe in the forked child: no allocation, no throw.
/// Results are the result or -errno, as <see cref="Libc.Sys"/>.
/// </summary>
internal static unsafe class Portable
{
    /// <summary>poll for the parent (may block): <paramref name="timeoutMs"/> below 0 waits forever.</summary>
    public static long Poll(void* fds, long count, long timeoutMs)
    {
        long* ts = stackalloc long[2];
        return Libc.Sys(Nr.Ppoll, (long)fds, count, Timeout(ts, timeoutMs), 0, 0);
    }

    /// <summary>poll for the forked child.</summary>
    public static long PollRaw(void* fds, long count, long timeoutMs)
    {
        long* ts = stackalloc long[2];
        return Libc.Raw(Nr.Ppoll, (long)fds, count, Timeout(ts, timeoutMs), 0, 0);
    }

    static long Timeout(long* ts, long ms)
    {
        if (ms < 0) return 0; // NULL: no timeout
        ts[0] = ms / 1000;
        ts[1] = ms % 1000 * 1_000_000;
        return (long)ts;
    }

    /// <summary>dup2 for the forked child: dup3 refuses equal fds (EINVAL) where dup2 checks the fd and returns it.</summary>
    public static long Dup2Raw(long from, long to)
    {
        if (from != to) return Libc.Raw(Nr.Dup3, from, to, 0);
        long r = Libc.Raw(Nr.Fcntl, from, 1 /*F_GETFD*/);
        return r < 0 ? r : to;
    }
}
