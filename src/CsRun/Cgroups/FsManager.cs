using System.Diagnostics;
using CsRun.Diagnostics;
using CsRun.Errors;
using CsRun.Linux;
using CsRun.Spec;

namespace CsRun.Cgroups;

/// <summary>
/// What the v1 and v2 cgroupfs managers share: signalling every process and tearing the
/// cgroup down. A systemd manager can reuse it once its unit is stopped.
/// </summary>
internal abstract class FsManager : ICgroupManager
{
    /// <summary>How long Destroy waits for killed processes to leave before reporting failure.</summary>
    static readonly TimeSpan KillWait = TimeSpan.FromSeconds(5);

    public abstract IReadOnlyDictionary<string, string> Paths { get; }

    /// <summary>A rootless container's hierarchies left out for want of permission (v2: the one).</summary>
    public LostCgroups Lost { get; init; } = new();
    public abstract void Create(Resources? resources);
    public abstract void AddProcess(int pid, CgroupJoined already = CgroupJoined.None);
    public virtual string? CloneIntoDir => null;
    public virtual void PrepareCloneDir() { }
    public virtual IReadOnlyList<(string File, bool BestEffort)> SelfJoinFiles => Array.Empty<(string, bool)>();
    public abstract void Apply(Resources? resources);
    public abstract IReadOnlyList<int> Pids();
    public abstract void Freeze(bool frozen);
    public abstract bool IsFrozen();
    public abstract CgroupStats Stats();

    /// <summary>The v2 cgroup (also the hybrid unified one), whose cgroup.kill kills a whole tree at once.</summary>
    string? UnifiedDir => Paths.TryGetValue(CgroupLayout.Unified, out string? d) ? d : null;

    /// <summary>Whether this manager can freeze at all (v1 without a freezer hierarchy cannot).</summary>
    protected abstract bool CanFreeze { get; }

    public void SignalAll(int signal)
    {
        // cgroup.kill (Linux 5.14) kills the whole tree atomically, forks included. On v2 that
        // is all; on hybrid a process may have left the unified cgroup, so v1's list still runs.
        if (signal == Sig.Kill && UnifiedDir is string unified && CgroupFiles.TryWrite(unified, "cgroup.kill", "1") == 0
            && Paths.Count == 1) return;
        // A paused container stays paused (the signal waits for resume), except for SIGKILL:
        // a frozen process cannot die, so it is thawed as runc thaws it.
        bool paused = CanFreeze && IsFrozen();
        bool frozen = CanFreeze && !paused && TryFreeze(true);
        try
        {
            foreach (int pid in Pids())
            {
                long r = Libc.Sys(Nr.Kill, pid, signal);
                if (r < 0 && r != -Errno.ESRCH) Log.Warn($"kill {pid}: {Errno.Message((int)-r)}");
            }
        }
        finally
        {
            if (frozen || paused && signal == Sig.Kill) TryFreeze(false);
        }
    }

    /// <summary>
    /// Every directory this manager's Create made, parents first. Destroy removes the ones above
    /// the container's cgroup too, so a create that fails leaves no empty parents behind; a later
    /// `delete` works from the saved paths alone and leaves the parents, as runc does (other
    /// containers may share them).
    /// </summary>
    protected readonly MadeDirs Made = new();

    public void AnnounceParents(Action<string> announce) => Made.Announce = announce;

    void RemoveMadeParents()
    {
        for (int i = Made.Count - 1; i >= 0; i--)
        {
            // EBUSY: another cgroup is in it by now, and it stays.
            if (!Paths.Values.Contains(Made[i])) KernelFile.Rmdir(Made[i]);
        }
    }

    public void Destroy()
    {
        var dirs = new List<string>();
        foreach (string dir in Paths.Values)
        {
            // A stopped container's cgroups are empty: one rmdir each. The kernel refuses a
            // cgroup with a process or a sub-cgroup in it (EBUSY), which takes the long way.
            if (!dirs.Contains(dir) && KernelFile.Rmdir(dir) is not (0 or -Errno.ENOENT)) dirs.Add(dir);
        }
        if (dirs.Count == 0)
        {
            RemoveMadeParents();
            return;
        }
        KillAndWait();
        var failed = new List<string>();
        foreach (string dir in dirs)
        {
            int errno = CgroupDirs.Remove(dir);
            if (errno != 0) failed.Add($"rmdir {dir}: {Errno.Message(errno)}");
        }
        if (failed.Count > 0) throw new RuntimeError("failed to remove cgroup: " + string.Join("; ", failed));
        RemoveMadeParents();
    }

    /// <summary>
    /// SIGKILL until the cgroup is empty: a process may fork between our listing and our kill,
    /// so list again until nothing is left or the wait is over (then rmdir reports EBUSY).
    /// </summary>
    void KillAndWait()
    {
        var clock = Stopwatch.StartNew();
        int delay = 1;
        while (Pids().Count > 0 && clock.Elapsed < KillWait)
        {
            SignalAll(Sig.Kill);
            Thread.Sleep(delay);
            delay = Math.Min(delay * 2, 50);
        }
        // A frozen cgroup would keep killed processes: never leave it frozen.
        if (CanFreeze && IsFrozen()) TryFreeze(false);
    }

    bool TryFreeze(bool frozen)
    {
        try
        {
            Freeze(frozen);
            return true;
        }
        catch (RuntimeError e)
        {
            Log.Warn(e.Message);
            return false;
        }
    }
}
