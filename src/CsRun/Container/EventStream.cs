using System.Diagnostics;
using CsRun.Cgroups;
using CsRun.Diagnostics;
using CsRun.Errors;
using CsRun.Linux;

namespace CsRun.Container;

/// <summary>
/// `events`: one stats event, or a stream of them every interval plus an "oom" event whenever
/// the cgroup runs out of memory, until the container stops. One thread: poll(2) waits for the
/// OOM notifier, a pidfd of the init (readable once it exits) and the next stats tick at once.
/// </summary>
internal static unsafe class EventStream
{
    const short PollIn = 1;

    public static void Stats(StateStore store, string id)
    {
        var (_, cgroup) = Running(store, id);
        Emit(EventLine.Stats(id, cgroup.Stats()));
    }

    public static void Stream(StateStore store, string id, TimeSpan interval)
    {
        var (s, cgroup) = Running(store, id);
        long pidfd = Libc.Sys(Nr.PidfdOpen, s.InitPid, 0);
        // Opened after the status check: the pid must still be our init, not a recycled one.
        if (pidfd < 0 || !ProcessInfo.IsAlive(s.InitPid, s.InitStartTime))
        {
            Files.Close((int)pidfd);
            return;
        }
        OomNotifier? oom = null;
        try
        {
            oom = OomNotifier.Open(cgroup, out string? why);
            if (oom == null) Log.Warn($"no OOM events for container {id}: {why}");
            Loop(id, cgroup, oom, (int)pidfd, interval);
        }
        finally
        {
            oom?.Dispose();
            Files.Close((int)pidfd);
        }
    }

    /// <summary>poll(2)'s timeout for the time left: whole milliseconds rounded up, 0 once past.</summary>
    internal static int PollTimeout(TimeSpan left) =>
        left.Ticks <= 0 ? 0 : (int)Math.Min((left.Ticks - 1) / TimeSpan.TicksPerMillisecond + 1, int.MaxValue);

    static void Loop(string id, ICgroupManager cgroup, OomNotifier? oom, int pidfd, TimeSpan interval)
    {
        long* fds = stackalloc long[2];
        var clock = Stopwatch.StartNew();
        TimeSpan next = interval;
        while (true)
        {
            int timeout = PollTimeout(next - clock.Elapsed);
            SetPollFd(fds, 0, pidfd);
            SetPollFd(fds, 1, oom?.Fd ?? -1);
            long n = Portable.Poll(fds, 2, timeout);
            if (n == -Errno.EINTR) continue;
            if (n < 0) throw new RuntimeError($"poll: {Errno.Message((int)-n)}");
            bool exited = Revents(fds, 0) != 0;
            // OOM before exit: an init the OOM killer took still gets its event.
            if (oom != null && (Revents(fds, 1) != 0 || exited))
            {
                bool happened = oom.Check(out bool gone);
                if (happened && !Emit(EventLine.Oom(id))) return;
                if (gone) return;
            }
            if (exited) return;
            if (clock.Elapsed < next) continue;
            try
            {
                if (!Emit(EventLine.Stats(id, cgroup.Stats()))) return;
            }
            catch (RuntimeError e)
            {
                Log.Error(e.Message); // runc logs a failed read and keeps going
            }
            next += interval;
            if (next <= clock.Elapsed) next = clock.Elapsed + interval;
        }
    }

    static (ContainerState, ICgroupManager) Running(StateStore store, string id)
    {
        var s = store.Load(id);
        if (ContainerStatus.Of(store, s) == ContainerStatus.Stopped) throw new RuntimeError($"container with id {id} is not running");
        return (s, CgroupManager.FromPaths(s.CgroupPaths, s.SystemdCgroup));
    }

    /// <summary>One line on stdout; false once stdout is gone (a closed pipe), which ends the stream.</summary>
    static bool Emit(byte[] line) => Files.WriteAll(1, line) == 0;

    /// <summary>struct pollfd { int fd; short events; short revents; }; a negative fd is skipped by poll.</summary>
    static void SetPollFd(long* fds, int i, int fd)
    {
        *(int*)(fds + i) = fd;
        ((short*)(fds + i))[2] = PollIn;
        ((short*)(fds + i))[3] = 0;
    }

    static short Revents(long* fds, int i) => ((short*)(fds + i))[3];
}
