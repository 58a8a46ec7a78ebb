using CsRun.Linux;

namespace CsRun.Launch;

/// <summary>
/// `exec`: the same machine with another program. The child joins the running container's
/// namespaces (user first, mount last), runs the same process steps as the init (limits, cwd,
/// credentials, seccomp, execve) and forks once more to land in its pid namespace: as late as
/// the process allows, so the container sees no process of ours with our capabilities.
/// Like the init it gets process.oomScoreAdj (from process.json, else the container's, as runc
/// gives every exec the container's) and linux.personality.
/// </summary>
internal static class ExecCompiler
{
    public static readonly (string Proc, long Flag)[] JoinOrder =
    {
        ("user", CloneFlags.NewUser), ("ipc", CloneFlags.NewIpc), ("uts", CloneFlags.NewUts), ("net", CloneFlags.NewNet),
        ("pid", CloneFlags.NewPid), ("cgroup", CloneFlags.NewCgroup), ("time", CloneFlags.NewTime), ("mnt", CloneFlags.NewNs),
    };

    public static SetupProgram Compile(CompileContext ctx, IReadOnlyList<(string Type, int Fd)> joins)
    {
        var p = new SetupProgram();
        ScheduleCompiler.InitialAffinity(p, ctx.Config.Process);
        CgroupJoinCompiler.Compile(p, ctx);
        SyncWaitStep.Emit(p, "", "wait for the parent's go (cgroups joined)", SyncType.Go);
        ScheduleCompiler.FinalAffinity(p, ctx.Config.Process);
        // Still in the host's mount namespace: /proc/self is the host's procfs, and a fork keeps it.
        ProcessCompiler.CompileOomScoreAdj(p, ctx.Config.Process);
        foreach (var (type, fd) in joins)
        {
            long flag = JoinOrder.First(j => j.Proc == type).Flag;
            SetnsStep.Emit(p, "", $"join the container's {type} namespace", fd, flag);
        }
        bool pid = joins.Any(j => j.Type == "pid");
        // Late, with final credentials, unless a terminal (its session and controlling tty belong
        // to the final process), a notify filter (its agent is told the process's pid) or a
        // scheduler policy a fork would refuse or drop (SCHED_DEADLINE, reset-on-fork) needs
        // the process earlier.
        bool late = pid && ctx.Config.Process?.Terminal != true && !NotifiesSeccomp(ctx) && ScheduleCompiler.SurvivesFork(ctx.Config.Process);
        if (pid && !late)
            ForkInitStep.Emit(p, "", "fork into the container's pid namespace");
        ProcessCompiler.CompileKernelSettings(p, ctx);
        // A session of its own, with or without a terminal, as runc's exec (nsexec) gives; after
        // a late fork the new process makes it (ProcessCompiler).
        if (!late) SetsidStep.Emit(p, "", "setsid");
        ProcessCompiler.CompileProcess(p, ctx, forkBeforeReady: late);
        return p;
    }

    static bool NotifiesSeccomp(CompileContext ctx) =>
        ctx.Config.Linux?.Seccomp is { } s && (s.DefaultAction == "SCMP_ACT_NOTIFY" || (s.Syscalls?.Exists(r => r.Action == "SCMP_ACT_NOTIFY") ?? false));
}
