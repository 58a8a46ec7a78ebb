using System.Globalization;
using CsRun.Errors;
using CsRun.Linux;

namespace CsRun.Cgroups;

/// <summary>
/// The container's OOM notifications as one file descriptor to poll(2), so that `events` can
/// wait for them and for its stats interval on one thread. v1: an eventfd registered on
/// memory.oom_control through cgroup.event_control (the kernel signals it at every OOM in the
/// cgroup, and once more when the cgroup is removed). v2: inotify on memory.events, whose
/// oom_kill counter tells a real OOM kill from other changes, and on cgroup.events, whose
/// "populated 0" means the last process left.
/// </summary>
internal abstract class OomNotifier : IDisposable
{
    /// <summary>Readable when something happened: call <see cref="Check"/>.</summary>
    public abstract int Fd { get; }

    /// <summary>
    /// Consumes what is pending without blocking. True if an OOM happened since the last call;
    /// <paramref name="gone"/> says that no more notifications can come (cgroup removed or empty).
    /// </summary>
    public abstract bool Check(out bool gone);

    public abstract void Dispose();

    /// <summary>The notifier for the manager's memory cgroup; null (and why) when it has none.</summary>
    public static OomNotifier? Open(ICgroupManager cgroup, out string? why)
    {
        why = null;
        if (cgroup.Paths.TryGetValue("memory", out string? v1)) return new V1(v1);
        if (cgroup.Paths.Count == 1 && cgroup.Paths.TryGetValue(CgroupLayout.Unified, out string? v2))
        {
            if (CgroupFiles.Exists(v2, "memory.events")) return new V2(v2);
            why = $"{CgroupFiles.PathOf(v2, "memory.events")} does not exist (memory controller not enabled)";
            return null;
        }
        why = "memory controller missing";
        return null;
    }

    static int OpenOrThrow(string dir, string file)
    {
        int fd = Files.TryOpen(CgroupFiles.PathOf(dir, file), O.RdOnly);
        if (fd < 0) throw new RuntimeError($"open {CgroupFiles.PathOf(dir, file)}: {Errno.Message(-fd)}");
        return fd;
    }

    sealed unsafe class V1 : OomNotifier
    {
        const int EfdCloExec = O.CloExec, EfdNonBlock = O.NonBlock;
        readonly string _dir;
        readonly int _eventFd, _controlFd;

        public V1(string dir)
        {
            _dir = dir;
            _controlFd = OpenOrThrow(dir, "memory.oom_control");
            long efd = Libc.Sys(Nr.Eventfd2, 0, EfdCloExec | EfdNonBlock);
            if (efd < 0)
            {
                Files.Close(_controlFd);
                throw new RuntimeError($"eventfd: {Errno.Message((int)-efd)}");
            }
            _eventFd = (int)efd;
            string line = _eventFd.ToString(CultureInfo.InvariantCulture) + " " + _controlFd.ToString(CultureInfo.InvariantCulture);
            int errno = CgroupFiles.TryWrite(dir, "cgroup.event_control", line);
            if (errno != 0)
            {
                Dispose();
                throw CgroupFiles.WriteError("oom notification", dir, "cgroup.event_control", errno);
            }
        }

        public override int Fd => _eventFd;

        public override bool Check(out bool gone)
        {
            gone = false;
            ulong count = 0;
            long n;
            n = Libc.SysRetry(Nr.Read, _eventFd, (long)&count, 8);
            if (n != 8) return false;
            // Removing the cgroup signals the eventfd too: tell that from an OOM (runc alike).
            gone = !CgroupFiles.Exists(_dir, "cgroup.event_control");
            return !gone;
        }

        public override void Dispose()
        {
            Files.Close(_eventFd);
            Files.Close(_controlFd);
        }
    }

    sealed unsafe class V2 : OomNotifier
    {
        const int InModify = 0x2, InCloExec = O.CloExec, InNonBlock = O.NonBlock;
        readonly string _dir;
        readonly int _inotify;
        ulong _kills;

        public V2(string dir)
        {
            _dir = dir;
            long fd = Libc.Sys(Nr.InotifyInit1, InCloExec | InNonBlock);
            if (fd < 0) throw new RuntimeError($"inotify_init1: {Errno.Message((int)-fd)}");
            _inotify = (int)fd;
            foreach (string file in new[] { "memory.events", "cgroup.events" })
            {
                byte[] path = System.Text.Encoding.UTF8.GetBytes(CgroupFiles.PathOf(dir, file) + "\0");
                long wd;
                fixed (byte* p = path) wd = Libc.Sys(Nr.InotifyAddWatch, _inotify, (long)p, InModify);
                if (wd < 0)
                {
                    Dispose();
                    throw new RuntimeError($"inotify_add_watch {CgroupFiles.PathOf(dir, file)}: {Errno.Message((int)-wd)}");
                }
            }
            _kills = Kills();
        }

        public override int Fd => _inotify;

        ulong Kills() => StatParsers.KeyValues(CgroupFiles.TryRead(_dir, "memory.events")).GetValueOrDefault("oom_kill");

        public override bool Check(out bool gone)
        {
            // The events only say "changed": drain them, then read the counters themselves.
            byte* buf = stackalloc byte[4096];
            while (true)
            {
                long n = Libc.Sys(Nr.Read, _inotify, (long)buf, 4096);
                if (n > 0 || n == -Errno.EINTR) continue;
                break;
            }
            string? events = CgroupFiles.TryRead(_dir, "cgroup.events");
            gone = events == null || StatParsers.KeyValues(events).GetValueOrDefault("populated") == 0;
            ulong kills = Kills();
            bool oom = kills > _kills;
            _kills = Math.Max(kills, _kills);
            return oom;
        }

        public override void Dispose() => Files.Close(_inotify);
    }
}
