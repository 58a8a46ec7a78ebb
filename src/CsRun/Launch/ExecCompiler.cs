using CsRun.Linux;

namespace CsRun.Launch;

/// <summary>
/// `exec`: the same machine with another program. The child joins the running container's
/// namespaces (user first, mount last), forks once more to land in its pid namespace, then
/// runs the same process steps as the init: limits, cwd, credentials, seccomp, execve. Like the
/// init it gets process.oomScoreAdj (from process.json, else the container's, as runc gives every
/// exec the container's) and linux.personality.
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
        CgroupJoinCompiler.Compile(p, ctx);
        p.Add(StepKind.SyncWait, "", "wait for the parent's go (cgroups joined)", (long)SyncType.Go);
        // Still in the host's mount namespace: /proc/self is the host's procfs, and a fork keeps it.
        ProcessCompiler.CompileOomScoreAdj(p, ctx.Config.Process);
        foreach (var (type, fd) in joins)
        {
            long flag = JoinOrder.First(j => j.Proc == type).Flag;
            p.Add(StepKind.Setns, "", $"join the container's {type} namespace", fd, flag);
        }
        if (joins.Any(j => j.Type == "pid"))
            p.Add(StepKind.ForkInit, "", "fork into the container's pid namespace");
        if (ctx.Config.Process?.Terminal == true)
            p.Add(StepKind.Setsid, "", "setsid (a terminal needs a session of its own)");
        ProcessCompiler.CompileKernelSettings(p, ctx);
        ProcessCompiler.CompileProcess(p, ctx);
        return p;
    }
}
