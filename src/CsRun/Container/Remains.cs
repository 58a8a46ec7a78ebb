using CsRun.Cgroups;
using CsRun.Diagnostics;
using CsRun.Errors;
using CsRun.Linux;

namespace CsRun.Container;

/// <summary>
/// What a create that died (SIGKILL, OOM) left, found through its <see cref="CreateJournal"/>:
/// its processes, its cgroups and the parent cgroups it made. The state dir is the caller's.
/// </summary>
internal static class Remains
{
    /// <summary>
    /// SIGKILLs each recorded process that is still the one create started (same start time),
    /// tears down the recorded cgroups (killing whatever else is in them) and, with
    /// <paramref name="parents"/>, removes the parent cgroups the create made where they are
    /// empty. Waits until the killed processes are gone.
    /// </summary>
    public static void Remove(CreateJournal.Record journal, bool parents)
    {
        // The recorded processes first: a child killed before it joined the v1 hierarchies is in
        // none that Destroy lists. Destroy then kills the rest and thaws a frozen cgroup, so
        // that a paused init can die too.
        var killed = journal.Processes.Where(p => KillIfSame(p.Pid, p.StartTime)).ToList();
        if (journal.CgroupPaths.Count > 0) CgroupManager.FromPaths(journal.CgroupPaths, journal.Systemd).Destroy();
        foreach (var (pid, start) in killed) Lifecycle.WaitForExit(pid, start);
        if (!parents) return;
        // Deepest first; EBUSY: another cgroup is in it by now, and it stays; ENOENT: never made.
        foreach (string dir in journal.Parents.Distinct().OrderByDescending(d => d.Length))
        {
            int r = KernelFile.Rmdir(dir);
            if (r is not (0 or -Errno.ENOENT or -Errno.EBUSY or -Errno.ENOTEMPTY)) Log.Warn($"rmdir {dir}: {Errno.Message(-r)}");
        }
    }

    /// <summary>SIGKILL through a pidfd, once that pid is known to name the process that started then; false if it is gone.</summary>
    public static bool KillIfSame(int pid, ulong startTime)
    {
        long pidfd = Libc.Sys(Nr.PidfdOpen, pid, 0);
        if (pidfd < 0) return false;
        try
        {
            if (!ProcessInfo.IsAlive(pid, startTime)) return false;
            long r = Libc.Sys(Nr.PidfdSendSignal, pidfd, Sig.Kill, 0, 0);
            if (r < 0 && r != -Errno.ESRCH) throw new RuntimeError($"kill {pid}: {Errno.Message((int)-r)}");
            return r == 0;
        }
        finally { Libc.Sys(Nr.Close, pidfd); }
    }
}
