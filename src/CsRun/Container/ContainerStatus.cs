using CsRun.Cgroups;

namespace CsRun.Container;

/// <summary>created → running → (paused ⇄ running) → stopped, read from the kernel each time.</summary>
internal static class ContainerStatus
{
    public const string Created = "created", Running = "running", Paused = "paused", Stopped = "stopped";
    /// <summary>runtime.md's status while the environment is being made: what prestart,
    /// createRuntime and createContainer hooks (and a seccomp agent at create) are given, as in runc.</summary>
    public const string Creating = "creating";

    public static string Of(StateStore store, ContainerState s)
    {
        // A dead init, a zombie one (its parent has not reaped it), or a recycled pid: stopped.
        if (!ProcessInfo.IsAlive(s.InitPid, s.InitStartTime)) return Stopped;
        // Frozen comes first, as in runc: a created container can be paused too.
        if (s.CgroupPaths.Count > 0 && CgroupManager.FromPaths(s.CgroupPaths, s.SystemdCgroup).IsFrozen()) return Paused;
        if (File.Exists(store.FifoPath(s.Id))) return Created;
        return Running;
    }

    public static PublicState Public(StateStore store, ContainerState s)
    {
        string status = Of(store, s);
        return new PublicState
        {
            OciVersion = s.Config.OciVersion,
            Id = s.Id,
            Pid = status == Stopped ? 0 : s.InitPid,
            Status = status,
            Bundle = s.Bundle,
            Rootfs = s.Rootfs,
            Created = s.Created,
            Annotations = s.Config.Annotations,
            Owner = s.Owner,
        };
    }
}
