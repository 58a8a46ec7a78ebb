using CsRun.Cgroups;
using CsRun.Diagnostics;
using CsRun.Errors;
using CsRun.Launch;
using CsRun.Linux;

namespace CsRun.Container;

/// <summary>`exec`: run another process in a running container, in all its namespaces and its cgroup.</summary>
internal static class Executor
{
    public static int Exec(GlobalOptions global, ExecRequest req)
    {
        var store = new StateStore(global.Root);
        var s = store.Load(req.Id);
        string status = ContainerStatus.Of(store, s);
        if (status == ContainerStatus.Stopped) throw new RuntimeError("cannot exec in a stopped container");
        if (status == ContainerStatus.Paused && !req.IgnorePaused) throw new RuntimeError("cannot exec in a paused container (use --ignore-paused to override)");
        if (req.Process.Args is not { Count: > 0 }) throw new RuntimeError("process.args: must not be empty");

        Libc.Sys(Nr.Prctl, Pr.SetChildSubreaper, 1);
        var signals = req.Detach ? null : SignalForwarder.Start();
        var fds = new List<int>();
        SpawnedChild? child = null;
        int consoleReceiver = -1;
        try
        {
            int pidfdSocket = PidfdSocket.Connect(req.PidfdSocket);
            if (pidfdSocket >= 0) fds.Add(pidfdSocket);
            int consoleFd = -1;
            if (req.Process.Terminal && req.ConsoleSocket != null)
                fds.Add(consoleFd = UnixSockets.Connect(req.ConsoleSocket, "--console-socket"));
            else if (req.Process.Terminal && !req.Detach)
            {
                (consoleReceiver, consoleFd) = SyncChannel.CreateStreamPair();
                fds.Add(consoleFd);
            }
            var joins = OpenNamespaces(s.InitPid, fds);
            // --cgroup: the same manager on the sub-cgroups' paths; on v2 a sub-cgroup of a
            // systemd scope is joined with cgroup.procs like any other directory.
            var cgroup = req.SubCgroups.Count == 0
                ? CgroupManager.FromPaths(s.CgroupPaths, s.SystemdCgroup)
                : CgroupManager.FromPaths(SubCgroups.Apply(s.CgroupPaths, req.SubCgroups));
            var config = s.Config with { Process = req.Process, Hooks = null };
            var ctx = new CompileContext
            {
                Config = config, BundleDir = s.Bundle, Rootfs = s.Rootfs, PreserveFds = req.PreserveFds, ConsoleFd = consoleFd,
                HostBounding = CapabilityMasks.HostBounding(), CgroupSelfJoin = cgroup.SelfJoinFiles, SetgroupsDenied = IdMaps.SetgroupsDeniedIn(s.InitPid), StateRoot = store.Root,
            };
            var program = ExecCompiler.Compile(ctx, joins);
            foreach (var w in ctx.Warnings) Log.Warn(w);
            if (Log.Debugging) Log.Debug("exec program:\n" + program.Describe());
            child = SpawnedChild.Start(program, 0, cgroup.CloneIntoDir);
            var process = new InitProcess(child.Pid);
            try
            {
                cgroup.AddProcess(child.Pid, program.Joined(child.BornInCgroup));
                child.Send(SyncType.Go);
                WaitUntilReady(child, process, s);
                PidfdSocket.Send(pidfdSocket, process.Pid, "setns");
            }
            catch
            {
                process.Kill();
                throw;
            }
            if (req.PidFile != null) Files.WriteAtomic(Path.GetFullPath(req.PidFile), process.Pid.ToString());
            string? execError = child.ExecOutcome();
            if (execError != null) throw new RuntimeError(execError);
            if (req.Detach) return 0;
            using var console = consoleReceiver >= 0 ? new ConsoleProxy(Runner.ReceiveMaster(consoleReceiver)) : null;
            return Spawner.ExitCode(signals!.WaitForExit(process.Pid, console));
        }
        finally
        {
            child?.Dispose();
            Files.Close(consoleReceiver);
            foreach (var fd in fds) Files.Close(fd);
        }
    }

    /// <summary>The container's namespaces that differ from ours, opened in join order.</summary>
    static List<(string Type, int Fd)> OpenNamespaces(int initPid, List<int> fds)
    {
        var joins = new List<(string, int)>();
        foreach (var (type, _) in ExecCompiler.JoinOrder)
        {
            string theirs = $"/proc/{initPid}/ns/{type}";
            string? target = new FileInfo(theirs).LinkTarget;
            if (target == null || target == new FileInfo($"/proc/self/ns/{type}").LinkTarget) continue;
            int fd = Files.Open(theirs, O.RdOnly, "exec");
            fds.Add(fd);
            joins.Add((type, fd));
        }
        return joins;
    }

    static void WaitUntilReady(SpawnedChild child, InitProcess process, ContainerState s) =>
        child.AnswerUntilReady(m =>
        {
            switch ((SyncType)m.Type)
            {
                case SyncType.InitPid: process.Adopt(m.Value); return true;
                case SyncType.SeccompFd: SeccompListener.Forward(m.Value, s.Config, s.Id, s.Bundle, process.Pid, "running"); return true;
                default: return false;
            }
        }, () => $"the process {process.DescribeExit()} before it was ready", "exec: unexpected message");
}
