using CsRun.Cgroups;
using CsRun.Errors;

namespace CsRun.Container;

/// <summary>`pause` and `resume`: freeze or thaw the container's cgroup, with runc's rules and messages.</summary>
internal static class PauseResume
{
    /// <summary>A running or created container can be paused; anything else is "not running".</summary>
    public static void Pause(StateStore store, string id)
    {
        using var _ = store.Lock(id);
        var s = store.Load(id);
        string status = ContainerStatus.Of(store, s);
        if (status is not (ContainerStatus.Running or ContainerStatus.Created)) throw new RuntimeError("container not running");
        CgroupManager.FromPaths(s.CgroupPaths, s.SystemdCgroup).Freeze(true);
    }

    public static void Resume(StateStore store, string id)
    {
        using var _ = store.Lock(id);
        var s = store.Load(id);
        if (ContainerStatus.Of(store, s) != ContainerStatus.Paused) throw new RuntimeError("container not paused");
        CgroupManager.FromPaths(s.CgroupPaths, s.SystemdCgroup).Freeze(false);
    }
}
