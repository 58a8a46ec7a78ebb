using CsRun.Cgroups;
using CsRun.Cli;

namespace CsRun.Container;

/// <summary>pause and resume: freeze or thaw the container's cgroup, with runc's checks and messages.</summary>
internal static class Pausing
{
    public static void Pause(StateStore store, string id)
    {
        using var _ = store.Lock(id);
        var s = store.Load(id);
        string status = ContainerStatus.Of(store, s);
        if (status is not (ContainerStatus.Running or ContainerStatus.Created)) throw new RuntimeError("container not running");
        Cgroup(s).Freeze(true);
    }

    public static void Resume(StateStore store, string id)
    {
        using var _ = store.Lock(id);
        var s = store.Load(id);
        // A created container reads as created even when frozen (its exec fifo is there): ask the cgroup.
        var cgroup = Cgroup(s);
        if (ContainerStatus.Of(store, s) == ContainerStatus.Stopped || !cgroup.IsFrozen()) throw new RuntimeError("container not paused");
        cgroup.Freeze(false);
    }

    static ICgroupManager Cgroup(ContainerState s) =>
        s.CgroupPaths.Count > 0 ? CgroupManager.FromPaths(s.CgroupPaths, s.SystemdCgroup) : throw new RuntimeError("the container has no cgroup to freeze");
}
