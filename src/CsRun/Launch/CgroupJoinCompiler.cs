namespace CsRun.Launch;

/// <summary>
/// On v1 the child joins its cgroups itself, first thing (or right after the parent's go when the
/// parent makes the cgroup after the clone): it is single-threaded, still in the host's user
/// namespace and root there, so writing "0" to each hierarchy's `tasks` moves
/// it without the global lock a cgroup.procs write for another process takes (and whose first
/// writer waits for an RCU grace period, ~15 ms on this kernel). The parent joins whatever this
/// leaves out: the v2 or unified cgroup (clone3 into it, or cgroup.procs), systemd's scope.
/// </summary>
internal static class CgroupJoinCompiler
{
    public static void Compile(SetupProgram p, CompileContext ctx)
    {
        foreach (var (file, bestEffort) in ctx.CgroupSelfJoin)
            JoinCgroupStep.Emit(p, "linux.cgroupsPath", $"join the cgroup: write 0 to {file}", p.Arena.Str(file), bestEffort);
    }
}
