using CsRun.Cgroups;
using CsRun.Cli;
using CsRun.Container;
using CsRun.Launch;
using CsRun.Linux;
using CsRun.Spec;

namespace CsRun.Criu;

/// <summary>What `restore` was asked beyond the CRIU options.</summary>
internal sealed record RestoreRequest(string Id, string Bundle, string ImagePath, string? WorkPath, string? PidFile, string? ConsoleSocket, bool Detach, bool Subreaper);

/// <summary>
/// `restore`, as runc's Container.Restore: a new container (state dir, cgroup) whose processes
/// CRIU recreates from the image directory instead of an init csrun sets up. CRIU runs in the
/// container's cgroup and restores the tree as csrun's child (rst_sibling) into the bundle's
/// rootfs. Any failure removes all of
/// it; the restored container is then run as `run` does: detached, or waited for and deleted.
/// </summary>
internal static class Restorer
{
    const string LogFile = "restore.log";

    public static int Restore(GlobalOptions global, RestoreRequest req, CriuOptions opts)
    {
        var store = new StateStore(global.Root);
        ContainerId.Validate(req.Id);
        var loaded = BundleConfig.Load(req.Bundle, global.SystemdCgroup, "restore");
        var (bundle, config, rootfs) = (loaded.Bundle, loaded.Config, loaded.Rootfs);
        if (config.Process!.Terminal && req.ConsoleSocket == null)
            throw new RuntimeError("process.terminal: restoring a container with a terminal needs --console-socket");

        // The images first: a bad image directory fails before anything is made.
        int imageFd = Files.Open(req.ImagePath, O.RdOnly | O.Directory | O.CloExec, "--image-path");
        var fds = new List<int> { imageFd };
        var undo = new Undo();
        CreateJournal? journal = null;
        string? criuRoot = null;
        Libc.Sys(Nr.Prctl, Pr.SetChildSubreaper, req.Subreaper ? 1 : 0);
        var signals = req.Detach ? null : SignalForwarder.Start();
        ContainerState? state = null;
        try
        {
            opts.InheritFds.AddRange(StdioDescriptors.Pipes(req.ImagePath));
            if (req.WorkPath != null)
            {
                Checkpointer.MakeDir(req.WorkPath, "--work-path");
                fds.Add(opts.WorkDirFd = Files.Open(req.WorkPath, O.RdOnly | O.Directory | O.CloExec, "--work-path"));
            }
            var nsFds = CriuNamespaces.ForRestore(opts, config);
            fds.AddRange(nsFds);

            journal = store.CreateDir(req.Id);
            undo.Add("remove state dir", () => store.Remove(req.Id));
            var cgroup = CgroupManager.ForContainer(req.Id, config.Linux?.CgroupsPath, global.SystemdCgroup);
            CgroupPrecheck.Check(cgroup);
            journal.Cgroups(cgroup.Paths, global.SystemdCgroup);
            cgroup.AnnounceParents(journal.ParentCgroup);
            undo.Add("remove cgroup", cgroup.Destroy);
            var resources = DefaultDeviceRules.Complete(PidsWriter.ForVersion(config.Linux?.Resources, config.OciVersion));
            cgroup.Create(resources);
            cgroup.Apply(resources);

            RestoreMountpoints.Make(rootfs, config, bundle);
            criuRoot = BindRootfs(rootfs);
            int consoleFd = -1;
            if (config.Process.Terminal) fds.Add(consoleFd = UnixSockets.Connect(req.ConsoleSocket!, "--console-socket"));

            opts.ImagesDirFd = imageFd;
            opts.Root = criuRoot;
            opts.RstSibling = true;
            opts.EvasiveDevices = true;
            ExternalMounts.ForRestore(opts, config, bundle, cgroup.Paths);

            using var swrk = CriuSwrk.Start(global.Criu, nsFds);
            cgroup.AddProcess(swrk.Pid);
            CgroupRoots(opts, swrk.Pid);
            int restored = 0;
            try
            {
                swrk.Run(CriuReqType.Restore, opts, (resp, fd) =>
                {
                    try
                    {
                        switch (resp.NotifyScript)
                        {
                            case "setup-namespaces":
                                // runc runs these two here, with the restored init's pid.
                                var hookState = Container.Hooks.State(req.Id, bundle, config, resp.NotifyPid, ContainerStatus.Creating);
                                HookRunner.Run(config.Hooks?.Prestart, "prestart", hookState, HookRunner.Where.Host(bundle));
                                HookRunner.Run(config.Hooks?.CreateRuntime, "createRuntime", hookState, HookRunner.Where.Host(bundle));
                                break;
                            case "post-restore":
                                restored = resp.NotifyPid;
                                var info = ProcessInfo.Read(restored) ?? throw new RuntimeError($"restored init {restored} is gone");
                                journal.ProcessStarted(restored, info.StartTime);
                                state = loaded.SaveState(store, req.Id, restored, info.StartTime, global.SystemdCgroup, cgroup.Paths);
                                break;
                            case "orphan-pts-master":
                                // The restored terminal's new master: to the caller, as create sends it.
                                if (fd < 0) throw new RuntimeError("criu sent no terminal with orphan-pts-master");
                                int r = UnixSockets.SendFds(consoleFd, "/dev/ptmx"u8, new[] { fd });
                                if (r < 0) throw new RuntimeError($"--console-socket: send the terminal: {Errno.Message(-r)}");
                                break;
                        }
                    }
                    finally { Files.Close(fd); }
                });
            }
            catch (RuntimeError e)
            {
                throw new RuntimeError(CriuLog.WithErrors(e.Message, Path.Combine(req.WorkPath ?? req.ImagePath, LogFile)), e);
            }
            int status = swrk.Finish();
            if (status != 0)
                throw new RuntimeError(CriuLog.WithErrors($"criu failed: exit status {Spawner.ExitCode(status)}", Path.Combine(req.WorkPath ?? req.ImagePath, LogFile)));
            if (state == null) throw new RuntimeError("criu restored no init (no post-restore notification)");
            if (req.PidFile != null) Files.WriteAtomic(Path.GetFullPath(req.PidFile), state.InitPid.ToString(System.Globalization.CultureInfo.InvariantCulture));
            journal.Finished();
            undo.Commit();
        }
        catch
        {
            if (criuRoot != null) UnbindRootfs(criuRoot);
            criuRoot = null;
            undo.Rollback();
            throw;
        }
        finally
        {
            if (criuRoot != null) UnbindRootfs(criuRoot);
            foreach (int fd in fds) Files.Close(fd);
            journal?.Dispose();
        }
        if (req.Detach) return 0;
        int exit = signals!.WaitForExit(state.InitPid);
        Lifecycle.DeleteReaped(store, state);
        return Spawner.ExitCode(exit);
    }

    /// <summary>CRIU's cgroup roots: where CRIU itself was put, i.e. the container's cgroups (runc reads them so too).</summary>
    static void CgroupRoots(CriuOptions opts, int criuPid)
    {
        if (KernelFile.Read($"/proc/{criuPid}/cgroup", out string text) != 0) throw new RuntimeError($"read /proc/{criuPid}/cgroup: criu exited");
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(':', 3);
            if (parts.Length == 3) opts.CgroupRoots.Add((parts[1], parts[2]));
        }
    }

    /// <summary>
    /// The rootfs bound on itself: CRIU wants its root to be a mount point. runc binds it on
    /// &lt;state dir&gt;/criu-root instead; csrun does not, because a restore killed there would
    /// leave the rootfs mounted inside a directory that `delete` removes recursively.
    /// </summary>
    static unsafe string BindRootfs(string rootfs)
    {
        var path = System.Text.Encoding.UTF8.GetBytes(rootfs + "\0");
        long m;
        fixed (byte* p = path) m = Libc.Sys(Nr.Mount, (long)p, (long)p, 0, (long)(Ms.Bind | Ms.Rec), 0);
        if (m < 0) throw new RuntimeError($"mount {rootfs} on {rootfs} (bind): {Errno.Message((int)-m)}");
        return rootfs;
    }

    /// <summary>Drops the bind (the topmost mount there, ours), lazily: CRIU's restored
    /// mount namespace keeps its own copy.</summary>
    static unsafe void UnbindRootfs(string rootfs)
    {
        var path = System.Text.Encoding.UTF8.GetBytes(rootfs + "\0");
        fixed (byte* p = path) Libc.Sys(Nr.Umount2, (long)p, Ms.MntDetach);
    }
}
