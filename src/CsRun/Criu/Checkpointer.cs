using CsRun.Cgroups;
using CsRun.Errors;
using CsRun.Launch;
using CsRun.Container;
using CsRun.Linux;

namespace CsRun.Criu;

/// <summary>What `checkpoint` was asked beyond the CRIU options.</summary>
internal sealed record CheckpointRequest(string Id, string ImagePath, string? WorkPath, string? ParentPath, bool PreDump, int StatusFd = -1);

/// <summary>
/// `checkpoint`, as runc's Container.Checkpoint: CRIU dumps the container's process tree into
/// the image directory (a pre-dump only its memory, for a later dump with --parent-path). The
/// dumped container is then deleted unless --leave-running or --pre-dump, as runc does.
/// </summary>
internal static class Checkpointer
{
    const string LogFile = "dump.log";

    public static void Checkpoint(GlobalOptions global, CheckpointRequest req, CriuOptions opts)
    {
        var store = new StateStore(global.Root);
        using (store.Lock(req.Id))
        {
            var s = store.Load(req.Id);
            string status = ContainerStatus.Of(store, s);
            if (status is ContainerStatus.Created or ContainerStatus.Stopped)
                throw new RuntimeError($"container cannot be checkpointed in {status} state");
            if (opts.LazyPages) LazyPagesCheck.Require(global.Criu, req.StatusFd >= 0);
            var config = s.Config;
            MakeDir(req.ImagePath, "--image-path");
            if (req.WorkPath != null) MakeDir(req.WorkPath, "--work-path");
            int imageFd = Files.Open(req.ImagePath, O.RdOnly | O.Directory | O.CloExec, "--image-path");
            int workFd = req.WorkPath != null ? Files.Open(req.WorkPath, O.RdOnly | O.Directory | O.CloExec, "--work-path") : -1;
            try
            {
                opts.ImagesDirFd = imageFd;
                opts.WorkDirFd = workFd;
                opts.Pid = s.InitPid;
                opts.Root = s.Rootfs;
                // CRIU freezes the tasks with the cgroup freezer (else with ptrace, one by one).
                var cgroup = CgroupManager.FromPaths(s.CgroupPaths, s.SystemdCgroup);
                opts.FreezeCgroup = s.CgroupPaths.TryGetValue("freezer", out var freezer) ? freezer
                    : s.CgroupPaths.TryGetValue("", out var unified) && s.CgroupPaths.Count == 1 ? unified : null;
                if (req.PreDump || req.ParentPath != null) RequireMemTrack(global.Criu, req.PreDump ? "--pre-dump" : "--parent-path");
                if (req.ParentPath != null)
                {
                    opts.ParentImg = req.ParentPath;
                    opts.TrackMem = true;
                }
                CriuNamespaces.ForDump(opts, config);
                if (!req.PreDump)
                {
                    ExternalMounts.ForDump(opts, config, s.Bundle, s.CgroupPaths, s.InitPid);
                    Files.WriteAtomic(Path.Combine(req.ImagePath, StdioDescriptors.FileName), StdioDescriptors.Of(s.InitPid));
                }
                Run(global.Criu, req.PreDump ? CriuReqType.PreDump : CriuReqType.Dump, opts, req.WorkPath ?? req.ImagePath, req.StatusFd);
            }
            finally
            {
                Files.Close(imageFd);
                Files.Close(workFd);
            }
        }
        // CRIU has killed the dumped processes: the container goes, as in runc.
        if (!opts.LeaveRunning && !req.PreDump) Lifecycle.Delete(store, req.Id, force: true);
    }

    /// <summary>
    /// A pre-dump, and a dump on top of one, need the kernel's soft-dirty page bits
    /// (CONFIG_MEM_SOFT_DIRTY); CRIU asked to track memory without them stops on an assertion.
    /// runc asks CRIU first (FEATURE_CHECK) for a pre-dump; csrun for --parent-path too.
    /// </summary>
    static void RequireMemTrack(string criu, string flag)
    {
        using var swrk = CriuSwrk.Start(criu);
        var resp = swrk.Run(CriuReqType.FeatureCheck, CriuRequest.FeatureCheck(memTrack: true, lazyPages: false), null);
        if (!resp.MemTrack)
            throw new RuntimeError($"{flag}: CRIU cannot track memory changes on this kernel (no soft-dirty page tracking, CONFIG_MEM_SOFT_DIRTY)");
    }

    /// <summary>With --lazy-pages the dump answers only once every page is served; its
    /// status-ready notification says the page server listens (--status-fd).</summary>
    static void Run(string criu, CriuReqType type, CriuOptions opts, string logDir, int statusFd)
    {
        using var swrk = CriuSwrk.Start(criu);
        try
        {
            swrk.Run(type, opts, (resp, fd) =>
            {
                Files.Close(fd);
                if (resp.NotifyScript == "status-ready" && statusFd >= 0)
                {
                    StatusFd.Ready(statusFd);
                    statusFd = -1;
                }
            });
        }
        catch (RuntimeError e)
        {
            throw new RuntimeError(CriuLog.WithErrors(e.Message, Path.Combine(logDir, opts.LogFile)), e);
        }
        int status = swrk.Finish();
        // A pre-dump's CRIU waits for the dump that never comes: its exit status says nothing.
        if (status != 0 && type != CriuReqType.PreDump)
            throw new RuntimeError(CriuLog.WithErrors($"criu failed: exit status {Spawner.ExitCode(status)}", Path.Combine(logDir, opts.LogFile)));
    }

    public static void MakeDir(string path, string what)
    {
        int r = KernelFile.Mkdir(path, 0x1c0 /*0700*/);
        if (r < 0 && r != -Errno.EEXIST) throw new RuntimeError($"{what}: mkdir {path}: {Errno.Message(-r)}");
    }
}
