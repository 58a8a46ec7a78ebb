using CsRun.Cgroups;
using CsRun.Diagnostics;
using CsRun.Errors;
using CsRun.Launch;
using CsRun.Linux;
using CsRun.Rootfs;
using CsRun.Spec;

namespace CsRun.Container;

/// <summary>
/// `create`: validate, make the state dir, fifo and cgroup, compile the setup program, clone the
/// init and walk it through the sync points. Any failure undoes everything made so far; a create
/// killed on the way leaves a <see cref="CreateJournal"/> naming what it made.
/// </summary>
internal static class Creator
{
    public static CreatedContainer Create(GlobalOptions global, CreateRequest req)
    {
        var store = new StateStore(global.Root);
        ContainerId.Validate(req.Id);
        var loaded = BundleConfig.Load(req.Bundle, global.SystemdCgroup, "create");
        var (bundle, config, rootfs) = (loaded.Bundle, loaded.Config, loaded.Rootfs);

        var undo = new Undo();
        var fds = new List<int>();
        using var usernsHelper = new UsernsHelper();
        CreateJournal? journal = null;
        SpawnedChild? child = null;
        try
        {
            journal = store.CreateDir(req.Id);
            undo.Add("remove state dir", () => store.Remove(req.Id));
            FaultInjection.At("statedir");

            string fifo = store.FifoPath(req.Id);
            Files.Mkfifo(fifo, 0x192 /*0622*/);
            int fifoFd = Files.Open(fifo, O.Path, "exec fifo");
            fds.Add(fifoFd);
            FaultInjection.At("fifo");

            var cgroup = CgroupManager.ForContainer(req.Id, config.Linux?.CgroupsPath, global.SystemdCgroup, global.RootlessCgroups);
            CgroupPrecheck.Check(cgroup);
            journal.Cgroups(cgroup.Paths, global.SystemdCgroup);
            cgroup.AnnounceParents(journal.ParentCgroup);
            var resources = DefaultDeviceRules.Complete(PidsWriter.ForVersion(config.Linux?.Resources, config.OciVersion));

            int pidfdSocket = PidfdSocket.Connect(req.PidfdSocket);
            if (pidfdSocket >= 0) fds.Add(pidfdSocket);
            int consoleFd = -1, consoleReceiver = -1;
            if (config.Process!.Terminal && req.ConsoleSocket != null)
            {
                consoleFd = UnixSockets.Connect(req.ConsoleSocket, "--console-socket");
                fds.Add(consoleFd);
            }
            else if (config.Process.Terminal && req.ProxyConsole)
            {
                (consoleReceiver, consoleFd) = SyncChannel.CreateStreamPair();
                fds.Add(consoleFd);
                undo.Add("close console", () => Files.Close(consoleReceiver));
            }
            var ctx = new CompileContext
            {
                ConsoleFd = consoleFd,
                Config = WithListenEnv(config, req.ListenFds), BundleDir = bundle, Rootfs = rootfs, NoPivot = req.NoPivot,
                NoNewKeyring = req.NoNewKeyring, PreserveFds = req.PreserveFds, FifoFd = fifoFd,
                HostBounding = CapabilityMasks.HostBounding(), CgroupPaths = CgroupManager.ViewPaths(cgroup), CgroupSelfJoin = cgroup.SelfJoinFiles,
                CpuMask = CpuHandoff.CurrentMask(), SetgroupsDenied = IdMaps.SetgroupsDenied(config), StateRoot = store.Root,
            };
            var program = Compiler.Compile(ctx);
            // Destroy never throws for a cgroup that is not (yet) there.
            undo.Add("remove cgroup", cgroup.Destroy);
            if (!program.CgroupAfterClone) MakeCgroup(cgroup, resources);
            else cgroup.PrepareCloneDir();
            foreach (var w in ctx.Warnings) Log.Warn(w);
            OpenJoinedNamespaces(program, fds);
            if (Log.Debugging) Log.Debug("setup program:\n" + program.Describe());
            FaultInjection.At("compile");

            child = SpawnedChild.Start(program, program.CloneFlags, cgroup.CloneIntoDir);
            if (req.KeepSync) undo.Add("close sync socket", child.Dispose);
            var init = new InitProcess(child.Pid);
            undo.Add("kill container init", init.Kill);
            // Killed before this record, the child reads EOF where it waits for Go, and exits.
            var childInfo = ProcessInfo.Read(child.Pid);
            journal.ProcessStarted(child.Pid, childInfo?.StartTime ?? 0);
            FaultInjection.At("clone");
            if (program.CgroupAfterClone)
            {
                if (ctx.CpuMask != null) CpuHandoff.MoveAway(child.Pid, ctx.CpuMask);
                MakeCgroup(cgroup, resources);
            }

            cgroup.AddProcess(child.Pid, program.Joined(child.BornInCgroup));
            if (program.NewUserNamespace && program.CloneFlags != 0 && (program.CloneFlags & CloneFlags.NewUser) != 0)
                IdMaps.Write(child.Pid, config);
            child.Send(SyncType.Go);
            // When the child is the init (no fork into a joined pid namespace), its state is
            // written while it sets itself up; a failure still removes the whole state dir.
            var state = program.ForksInit ? null : SaveState();
            Drive(child, init, config, req, bundle, rootfs, journal, usernsHelper);
            FaultInjection.At("ready");
            state ??= SaveState() ?? throw new RuntimeError("container init exited before it was ready");
            if (req.PidFile != null) Files.WriteAtomic(Path.GetFullPath(req.PidFile), init.Pid.ToString());
            PidfdSocket.Send(pidfdSocket, init.Pid, "standard");
            if (config.Hooks?.StartContainer is { Count: > 0 })
                child.Send(SyncType.Payload, 0, HookStateJson.Of(Hooks.State(state, ContainerStatus.Created)));
            journal.Finished();
            undo.Commit();
            Log.Debug($"container {req.Id} created: init {init.Pid}, waiting on the exec fifo");
            return new CreatedContainer(state, child) { ConsoleReceiver = consoleReceiver };

            ContainerState? SaveState()
            {
                if ((init.IsOurChild ? childInfo : ProcessInfo.Read(init.Pid)) is not { } info) return null;
                return loaded.SaveState(store, req.Id, init.Pid, info.StartTime, global.SystemdCgroup, cgroup.Paths);
            }
        }
        catch
        {
            undo.Rollback();
            throw;
        }
        finally
        {
            foreach (var fd in fds) Files.Close(fd);
            if (!req.KeepSync) child?.Dispose();
            journal?.Dispose();
        }
    }

    static void MakeCgroup(ICgroupManager cgroup, Resources? resources)
    {
        cgroup.Create(resources);
        cgroup.Apply(resources);
        FaultInjection.At("cgroup");
    }

    /// <summary>
    /// Socket activation (runc's): the init is told of the fds it gets first with LISTEN_FDS and
    /// LISTEN_PID=1 appended to process.env. Only the program sees them; the saved config does not.
    /// </summary>
    static Config WithListenEnv(Config config, int listenFds)
    {
        if (listenFds == 0) return config;
        var env = new List<string>(config.Process!.Env ?? new List<string>())
        {
            "LISTEN_FDS=" + listenFds.ToString(System.Globalization.CultureInfo.InvariantCulture), "LISTEN_PID=1",
        };
        return config with { Process = config.Process with { Env = env } };
    }

    /// <summary>Answer the child at each sync point until it says it is ready.</summary>
    static void Drive(SpawnedChild child, InitProcess init, Config config, CreateRequest req, string bundle, string rootfs,
        CreateJournal journal, UsernsHelper usernsHelper) =>
        child.AnswerUntilReady(m =>
        {
            switch ((SyncType)m.Type)
            {
                case SyncType.NeedMaps:
                    IdMaps.Write(init.Pid, config);
                    child.Send(SyncType.MapsDone);
                    return true;
                case SyncType.InitPid:
                    // The init forked into a joined pid namespace; it is in the cgroup already.
                    journal.ProcessStarted(m.Value, ProcessInfo.Read(m.Value)?.StartTime ?? 0);
                    init.Adopt(m.Value);
                    return true;
                case SyncType.Hooks:
                    RunCreateHooks(init, config, req, bundle, rootfs);
                    child.Send(SyncType.HooksDone);
                    return true;
                case SyncType.BindSources:
                    HostBindSources.Send(child.SyncFd, m.Value, child.Program);
                    return true;
                case SyncType.IdmapTree:
                    if (m.Step < 0 || m.Step >= child.Program.IdmapMounts.Count) { Files.Close(m.Value); throw new RuntimeError("container init sent an unknown id-mapped mount"); }
                    IdmapSetattr.Apply(m.Value, child.Program.IdmapMounts[m.Step], init.Pid, usernsHelper);
                    child.Send(SyncType.IdmapDone);
                    return true;
                case SyncType.NetDevices:
                    NetDevices.Move(init.Pid, config.Linux!.NetDevices!);
                    child.Send(SyncType.NetDevicesDone);
                    return true;
                case SyncType.SeccompFd:
                    SeccompListener.Forward(m.Value, config, req.Id, bundle, init.Pid, ContainerStatus.Creating);
                    return true;
                default:
                    return false;
            }
        }, () => $"container init {(init.IsOurChild ? init.DescribeExit() : "exited")} before it was ready", "container init sent an unexpected message");

    /// <summary>prestart, createRuntime and createContainer, "creating" as runc gives them: the
    /// hooks are part of create, which has not finished (runtime.md's lifecycle steps 3 to 5).</summary>
    static void RunCreateHooks(InitProcess init, Config config, CreateRequest req, string bundle, string rootfs)
    {
        var state = Hooks.State(req.Id, bundle, config, init.Pid, ContainerStatus.Creating);
        // runc's cwd and environment (HookRunner.Where): the bundle and csrun's own
        // environment on the host; the rootfs and process.env in the container.
        var host = HookRunner.Where.Host(bundle);
        HookRunner.Run(config.Hooks?.Prestart, "prestart", state, host);
        HookRunner.Run(config.Hooks?.CreateRuntime, "createRuntime", state, host);
        HookRunner.Run(config.Hooks?.CreateContainer, "createContainer", state,
            new HookRunner.Where(rootfs, config.Process?.Env ?? new List<string>()), init.Pid);
    }

    static void OpenJoinedNamespaces(SetupProgram program, List<int> fds)
    {
        foreach (var step in program.Steps.Where(s => s.Kind == StepKind.Setns))
        {
            ref var join = ref step.ArgsAs<SetnsStep>();
            var (type, path) = program.Joins[join.Fd];
            int fd = Files.Open(path, O.RdOnly, $"linux.namespaces: {type}");
            fds.Add(fd);
            join.Fd = fd;
        }
    }
}
