using CsRun.Cgroups;

namespace CsRun.Container;

/// <summary>The container's processes, as host pids, from its cgroup.</summary>
internal static class Processes
{
    /// <summary>Every pid in the container's cgroup; none once the cgroup is gone. A rootless
    /// container without a cgroup: its <see cref="ProcessTree"/>.</summary>
    public static IReadOnlyList<int> Of(StateStore store, string id) => Of(store.Load(id));

    public static IReadOnlyList<int> Of(ContainerState s) =>
        s.CgroupPaths.Count == 0 ? ProcessTree.Of(s) : CgroupManager.FromPaths(s.CgroupPaths, s.SystemdCgroup).Pids();

    /// <summary>The signal to every process: the cgroup's SignalAll (frozen meanwhile), or each of
    /// a cgroup-less rootless container's <see cref="ProcessTree"/>.</summary>
    public static void SignalAll(ContainerState s, ICgroupManager cgroup, int signal)
    {
        if (s.CgroupPaths.Count > 0)
        {
            cgroup.SignalAll(signal);
            return;
        }
        foreach (int pid in ProcessTree.Of(s)) Linux.Libc.Sys(Linux.Nr.Kill, pid, signal);
    }
}
