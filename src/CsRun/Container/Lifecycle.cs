using CsRun.Cgroups;
using CsRun.Cli;
using CsRun.Launch;
using CsRun.Linux;

namespace CsRun.Container;

/// <summary>start, kill and delete on an existing container, with runc's messages.</summary>
internal static class Lifecycle
{
    public static void Start(StateStore store, string id)
    {
        using var _ = store.Lock(id);
        var s = store.Load(id);
        string status = ContainerStatus.Of(store, s);
        if (status == ContainerStatus.Stopped) throw new RuntimeError("cannot start a container that has stopped");
        if (status == ContainerStatus.Running) throw new RuntimeError("cannot start an already running container");
        if (status != ContainerStatus.Created) throw new RuntimeError($"cannot start a container in the {status} state");
        ReleaseAndRunPoststart(store, s);
    }

    /// <summary>`run`'s start of the container it has just created: its state is in hand, and
    /// an init that died meanwhile is caught while the fifo is read.</summary>
    public static void StartCreated(StateStore store, ContainerState s)
    {
        using var _ = store.Lock(s.Id);
        ReleaseAndRunPoststart(store, s);
    }

    static void ReleaseAndRunPoststart(StateStore store, ContainerState s)
    {
        ReleaseInit(store, s);
        // runc 1.1.5 runs poststart inside create/run, in the bundle it chdirs to.
        try
        {
            HookRunner.Run(s.Summary.Hooks?.Poststart, "poststart", Hooks.State(s, ContainerStatus.Running), HookRunner.Where.Host(s.Bundle));
        }
        catch (RuntimeError)
        {
            // Spec 1.3 (runtime.md, lifecycle step 9): a failed poststart hook is an error that
            // stops the container; `delete` (or `run` itself) then destroys it. runc kills it too.
            StopAfterFailedHook(s);
            throw;
        }
    }

    /// <summary>SIGKILL to every process of the container (the init first), then wait for the init to go.</summary>
    static void StopAfterFailedHook(ContainerState s)
    {
        if (ProcessInfo.IsAlive(s.InitPid, s.InitStartTime)) Libc.Sys(Nr.Kill, s.InitPid, Sig.Kill);
        Processes.SignalAll(s, CgroupManager.FromPaths(s.CgroupPaths, s.SystemdCgroup), Sig.Kill);
        WaitForExit(s.InitPid, s.InitStartTime);
    }

    /// <summary>
    /// Open the exec fifo for reading: the init, blocked opening it for writing, goes on to execve.
    /// It keeps its end open (close-on-exec) until the execve, so the EOF that follows says the
    /// user program was executed: only then is the container "running" and may the poststart
    /// hooks run (runtime.md's state, config.md's poststart).
    /// </summary>
    static void ReleaseInit(StateStore store, ContainerState s)
    {
        string fifo = store.FifoPath(s.Id);
        int fd = Files.TryOpen(fifo, O.RdOnly | O.NonBlock);
        if (fd < 0) throw new RuntimeError($"open exec fifo {fifo}: {Errno.Message(-fd)}");
        try
        {
            if (!ReadFifoUntil(fd, s, n => n == 1)) throw new RuntimeError("cannot start a container that has stopped");
            ReadFifoUntil(fd, s, n => n == 0 || (n < 0 && n != -Errno.EAGAIN));
        }
        finally { Files.Close(fd); }
        Log.Debug($"exec fifo released: init {s.InitPid} executed the user process");
        File.Delete(fifo);
    }

    /// <summary>Reads the fifo a byte at a time until <paramref name="done"/> accepts a read's result; false if the init died first.</summary>
    static unsafe bool ReadFifoUntil(int fd, ContainerState s, Func<long, bool> done)
    {
        while (true)
        {
            if (Spawner.Poll(fd, 100))
            {
                byte b;
                long n = Libc.Sys(Nr.Read, fd, (long)&b, 1);
                if (done(n)) return true;
                if (n == -Errno.EAGAIN) continue;
            }
            if (!ProcessInfo.IsAlive(s.InitPid, s.InitStartTime)) return false;
        }
    }

    public static void Kill(StateStore store, string id, int signal, bool all)
    {
        var s = store.Load(id);
        string status = ContainerStatus.Of(store, s);
        var cgroup = CgroupManager.FromPaths(s.CgroupPaths, s.SystemdCgroup);
        if (all)
        {
            // Frozen while signalled, so that no process forks away; nothing left is no error (runc).
            Processes.SignalAll(s, cgroup, signal);
            return;
        }
        if (status == ContainerStatus.Stopped) throw new RuntimeError("container not running");
        if (signal == Sig.Kill && !OwnPidNamespace(s))
        {
            // Without a pid namespace of its own, the init's death takes no other process with
            // it: SIGKILL goes to every process of the container, as runc 1.2+ sends it.
            // A rootless container without a cgroup: its process tree, taken while the init lives.
            var tree = s.CgroupPaths.Count == 0 ? Processes.Of(s) : null;
            Signal(s, signal);
            if (tree == null) cgroup.SignalAll(signal);
            else foreach (int pid in tree) Libc.Sys(Nr.Kill, pid, signal);
            return;
        }
        Signal(s, signal);
        // A frozen process cannot die: thaw a paused container for SIGKILL, as runc does.
        if (signal == Sig.Kill && status == ContainerStatus.Paused) cgroup.Freeze(false);
    }

    /// <summary>A new pid namespace (not one joined by path): runc's IsPrivate(NEWPID).</summary>
    static bool OwnPidNamespace(ContainerState s) =>
        s.Config.Linux?.Namespaces?.FirstOrDefault(n => n.Type == "pid") is { } ns && string.IsNullOrEmpty(ns.Path);

    /// <summary>Signal the init through a pidfd, after checking that pid still names our init.</summary>
    static void Signal(ContainerState s, int signal)
    {
        long pidfd = Libc.Sys(Nr.PidfdOpen, s.InitPid, 0);
        if (pidfd < 0) throw new RuntimeError("container not running");
        try
        {
            if (!ProcessInfo.IsAlive(s.InitPid, s.InitStartTime)) throw new RuntimeError("container not running");
            long r = Libc.Sys(Nr.PidfdSendSignal, pidfd, signal, 0, 0);
            if (r == -Errno.ESRCH) throw new RuntimeError("no such process");
            if (r < 0) throw new RuntimeError($"kill {s.InitPid}: {Errno.Message((int)-r)}");
        }
        finally { Libc.Sys(Nr.Close, pidfd); }
    }

    /// <summary>How long delete waits for a create of the same container to finish.</summary>
    static readonly TimeSpan CreateWait = TimeSpan.FromSeconds(10);

    public static void Delete(StateStore store, string id, bool force)
    {
        // A create still running holds its journal's lock: wait for it to end, or to die.
        using var journal = CreateJournal.OpenLocked(store.Dir(id), CreateWait);
        if (!store.Exists(id))
        {
            // A create that died before writing state.json leaves its directory behind, and its
            // journal names the processes and cgroups it made.
            if (journal != null) Remains.Remove(journal, parents: true);
            store.Remove(id);
            if (force) return;
            throw new RuntimeError("container does not exist");
        }
        using (store.Lock(id))
        {
            ContainerState s;
            try { s = store.Load(id); }
            catch (CorruptStateError e) when (force)
            {
                DeleteCorrupt(store, id, journal, e);
                return;
            }
            // A create that died after writing state.json: what it made beyond the state goes too.
            if (journal is { Done: false }) Remains.Remove(journal, parents: true);
            string status = ContainerStatus.Of(store, s);
            var cgroup = CgroupManager.FromPaths(s.CgroupPaths, s.SystemdCgroup);
            if (status is ContainerStatus.Running or ContainerStatus.Paused && !force)
                throw new RuntimeError($"cannot delete container {id} that is not stopped: {status}");
            if (status != ContainerStatus.Stopped)
            {
                // Kill, then thaw: the pending SIGKILL ends each process as it wakes, so none
                // of a paused container's code runs again. Without a cgroup (rootless) the
                // init's process tree goes too: it has no pid namespace to take it along.
                if (s.CgroupPaths.Count == 0) Processes.SignalAll(s, cgroup, Sig.Kill);
                Libc.Sys(Nr.Kill, s.InitPid, Sig.Kill);
                if (status == ContainerStatus.Paused) cgroup.Freeze(false);
                WaitForExit(s.InitPid, s.InitStartTime);
            }
            RemoveStopped(store, s, cgroup);
        }
    }

    /// <summary>
    /// `delete --force` of a container whose state.json cannot be read: its journal still names
    /// the init (with its start time) and the cgroups. Without one (a csrun before journals)
    /// only the directory can go, and the error says what may be left.
    /// </summary>
    static void DeleteCorrupt(StateStore store, string id, CreateJournal.Record? journal, CorruptStateError e)
    {
        if (journal == null)
        {
            store.Remove(id);
            throw new RuntimeError($"{e.Message}; removed {store.Dir(id)}, but without {CreateJournal.FileName} its processes and cgroups cannot be found");
        }
        Log.Warn($"{e.Message}: removing the container from {journal.Path}");
        Remains.Remove(journal, parents: !journal.Done);
        store.Remove(id);
    }

    /// <summary>`run`'s delete after it reaped the init: the state it created is still the one on disk.</summary>
    public static void DeleteReaped(StateStore store, ContainerState s)
    {
        using (store.Lock(s.Id))
        {
            if (!store.Exists(s.Id)) return;
            RemoveStopped(store, s, CgroupManager.FromPaths(s.CgroupPaths, s.SystemdCgroup));
        }
    }

    /// <summary>Remove the cgroup (killing whatever is left in it), run poststop hooks, drop the state.</summary>
    static void RemoveStopped(StateStore store, ContainerState s, ICgroupManager cgroup)
    {
        cgroup.Destroy();
        HookRunner.RunWarnOnly(s.Summary.Hooks?.Poststop, "poststop", Hooks.State(s, ContainerStatus.Stopped), HookRunner.Where.Host());
        store.Remove(s.Id);
    }

    /// <summary>Wait for a killed init to die (or turn zombie); it is not our child, so poll.</summary>
    internal static void WaitForExit(int pid, ulong startTime)
    {
        for (int i = 0; i < 1000 && ProcessInfo.IsAlive(pid, startTime); i++)
            Thread.Sleep(i < 20 ? 1 : 10);
        if (ProcessInfo.IsAlive(pid, startTime))
            throw new RuntimeError($"container init {pid} did not die after SIGKILL");
    }
}
