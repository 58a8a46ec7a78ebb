using CsRun.Cgroups;

namespace CsRun.Container;

/// <summary>The container's processes, as host pids, from its cgroup.</summary>
internal static class Processes
{
    /// <summary>Every pid in the container's cgroup; none once the cgroup is gone.</summary>
    public static IReadOnlyList<int> Of(StateStore store, string id)
    {
        var s = store.Load(id);
        return s.CgroupPaths.Count == 0 ? Array.Empty<int>() : CgroupManager.FromPaths(s.CgroupPaths, s.SystemdCgroup).Pids();
    }
}
