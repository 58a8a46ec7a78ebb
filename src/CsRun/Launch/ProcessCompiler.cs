using CsRun.Errors;
using CsRun.Launch.Child;
using CsRun.Linux;
using CsRun.Spec;

namespace CsRun.Launch;

/// <summary>The process half of the program: identity, limits, credentials, and the exec.</summary>
internal static class ProcessCompiler
{
    static readonly string[] RlimitNames =
    {
        "RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_DATA", "RLIMIT_STACK", "RLIMIT_CORE", "RLIMIT_RSS", "RLIMIT_NPROC",
        "RLIMIT_NOFILE", "RLIMIT_MEMLOCK", "RLIMIT_AS", "RLIMIT_LOCKS", "RLIMIT_SIGPENDING", "RLIMIT_MSGQUEUE",
        "RLIMIT_NICE", "RLIMIT_RTPRIO", "RLIMIT_RTTIME",
    };

    public const string DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /// <summary>Steps that must run while the host's /proc is still reachable (before pivot_root).</summary>
    public static void CompileEarly(SetupProgram p, CompileContext ctx)
    {
        var a = p.Arena;
        var c = ctx.Config;
        var nss = c.Linux?.Namespaces ?? new List<Namespace>();
        SetsidStep.Emit(p, "", "setsid");
        if (!string.IsNullOrEmpty(c.Hostname))
            SethostnameStep.Emit(p, "hostname", $"sethostname \"{c.Hostname}\"", a.Str(c.Hostname), System.Text.Encoding.UTF8.GetByteCount(c.Hostname));
        if (!string.IsNullOrEmpty(c.Domainname))
            SetdomainnameStep.Emit(p, "domainname", $"setdomainname \"{c.Domainname}\"", a.Str(c.Domainname), System.Text.Encoding.UTF8.GetByteCount(c.Domainname));
        CompileOomScoreAdj(p, c.Process);
        if (!ctx.NoNewKeyring)
        {
            // A fresh session keyring, so containers do not share the host's (runc does the same).
            JoinKeyringStep.Emit(p, "", "join a new session keyring", p.Arena.Str("_ses.csrun"));
        }
    }

    /// <summary>process.oomScoreAdj, written while /proc/self is still the host's procfs (verified).</summary>
    public static void CompileOomScoreAdj(SetupProgram p, ProcessConfig? proc)
    {
        if (proc?.OomScoreAdj is not int oom) return;
        var bytes = System.Text.Encoding.ASCII.GetBytes(oom.ToString(System.Globalization.CultureInfo.InvariantCulture));
        WriteFileStep.Emit(p, "process.oomScoreAdj", $"write /proc/self/oom_score_adj {oom}",
            p.Arena.Str("/proc/self/oom_score_adj"), p.Arena.Bytes(bytes), bytes.Length, true);
    }

    /// <summary>linux.sysctl, written in the container's /proc after the root switch but before
    /// readonlyPaths make /proc/sys read-only (runc's order; podman always sets some).</summary>
    public static void CompileSysctls(SetupProgram p, CompileContext ctx)
    {
        var a = p.Arena;
        foreach (var (key, value) in ctx.Config.Linux?.Sysctl ?? new Dictionary<string, string>())
        {
            string path = "/proc/sys/" + key.Replace('.', '/');
            var bytes = System.Text.Encoding.UTF8.GetBytes(value);
            WriteFileStep.Emit(p, $"linux.sysctl[\"{key}\"]", $"write {path} \"{value}\"", a.Str(path), a.Bytes(bytes), bytes.Length, true);
        }
    }

    /// <summary>linux.personality: the init's and every exec'd process's execution domain.</summary>
    public static void CompileKernelSettings(SetupProgram p, CompileContext ctx)
    {
        var c = ctx.Config;
        if (c.Linux?.Personality is { } pers)
        {
            long persona = pers.Domain switch
            {
                "LINUX" => 0,
                "LINUX32" => 8,
                _ => throw new RuntimeError($"linux.personality.domain: unknown domain \"{pers.Domain}\""),
            };
            PersonalityStep.Emit(p, "linux.personality", $"personality {pers.Domain}", persona);
        }
    }

    /// <summary>The process itself: limits, cwd, credentials, then the exec (for create and exec alike).</summary>
    /// <param name="forkBeforeReady">exec into a pid namespace: fork into it only here, once the
    /// credentials are final, so no process in the container ever sees one of ours holding
    /// csrun's capabilities (a container with CAP_SYS_PTRACE could attach to it).</param>
    public static void CompileProcess(SetupProgram p, CompileContext ctx, bool forkBeforeReady = false)
    {
        var a = p.Arena;
        var c = ctx.Config;
        var proc = c.Process ?? throw new RuntimeError("process: must be set to create a container");
        if (proc.Terminal)
        {
            if (ctx.ConsoleFd < 0) throw new RuntimeError("process.terminal: cannot allocate tty if csrun will detach without setting console socket");
            // The group is the one devpts gives (its gid= option, tty in runc's spec), as in runc.
            long owner = ((long)proc.User.Uid << 32) | uint.MaxValue;
            SetupConsoleStep.Emit(p, "process.terminal", "open a pseudoterminal and send its master to the console socket",
                ctx.ConsoleFd, proc.ConsoleSize?.Height ?? 0, proc.ConsoleSize?.Width ?? 0, owner);
        }
        var rlimits = proc.Rlimits ?? new List<Rlimit>();
        for (int i = 0; i < rlimits.Count; i++)
        {
            int res = Array.IndexOf(RlimitNames, rlimits[i].Type);
            if (res < 0) throw new RuntimeError($"process.rlimits[{i}].type: unknown rlimit \"{rlimits[i].Type}\"");
            SetrlimitStep.Emit(p, $"process.rlimits[{i}]", $"setrlimit {rlimits[i].Type} soft {rlimits[i].Soft} hard {rlimits[i].Hard}",
                res, (long)rlimits[i].Soft, (long)rlimits[i].Hard);
        }
        string cwd = string.IsNullOrEmpty(proc.Cwd) ? "/" : proc.Cwd;
        ChdirStep.Emit(p, "process.cwd", $"chdir {cwd}", a.Str(cwd), ChildCwd.AsRoot);
        VerifyCwdStep.Emit(p, "process.cwd", "check the cwd is inside the container");
        UmaskStep.Emit(p, "process.user.umask", $"umask 0{Convert.ToString(proc.User.Umask ?? 0x12, 8)}", proc.User.Umask ?? 0x12);
        // HOME is looked up as the container's root, before the uid change, as runc does (a 0600 passwd).
        var (env, envp) = Environment(p, proc);

        // Before any seccomp filter: a profile without close_range (most predate it) would fail it.
        p.PreservedFds = ctx.PreserveFds;
        if (ctx.FifoFd >= 0) p.InheritedFds.Add(ctx.FifoFd);
        CloseHostFdsStep.Emit(p, "", $"close every fd from {3 + ctx.PreserveFds} but the sync socket and the exec fifo", 3 + ctx.PreserveFds, ctx.FifoFd);
        // runc's order: before the seccomp filter and the capability drop (a real-time policy
        // or a negative nice needs CAP_SYS_NICE).
        ScheduleCompiler.Compile(p, c);
        var caps = CapabilityMasks.From(proc.Capabilities, ctx.HostBounding, ctx.Warnings);
        var seccomp = SeccompStep.Compile(p, ctx);
        // Without no_new_privs loading a filter needs CAP_SYS_ADMIN, so it goes in before the
        // capabilities are dropped; so does a notify filter, whose listener the parent must get.
        bool early = seccomp != null && (!proc.NoNewPrivileges || seccomp.Kind == StepKind.SeccompNotify);
        if (early) p.Steps.Add(seccomp!);

        // runc's fixStdioPermissions: a non-root process must be able to reopen its stdio.
        FixStdioOwnerStep.Emit(p, "process.user.uid", $"give stdio (pipes, sockets, ptys) to uid {proc.User.Uid}", proc.User.Uid);
        DropBoundingStep.Emit(p, "process.capabilities.bounding", $"keep bounding capabilities 0x{caps.Bounding:x}", caps.Bounding);
        PrctlStep.Emit(p, "process.user", "keep capabilities across the uid change", Pr.SetKeepCaps, 1);
        var groups = proc.User.AdditionalGids ?? new List<uint>();
        long gidArray = a.Zeroed(Math.Max(1, groups.Count) * 4);
        unsafe { for (int i = 0; i < groups.Count; i++) ((uint*)gidArray)[i] = groups[i]; }
        if (ctx.SetgroupsDenied && groups.Count > 0)
            throw new RuntimeError("process.user.additionalGids: cannot be set: the container's user namespace denies setgroups (a rootless container mapping only the caller's gid, whose other gids can be mapped from /etc/subgid with newgidmap; or csrun runs in a user namespace that denies it, which every one below inherits)");
        // runc's rootless init leaves the groups alone: the user namespace's are one unmapped group.
        if (!ctx.SetgroupsDenied)
            unsafe { SetgroupsStep.Emit(p, "process.user.additionalGids", $"setgroups [{string.Join(",", groups)}]", groups.Count, (uint*)gidArray); }
        SetgidStep.Emit(p, "process.user.gid", $"setresgid {proc.User.Gid}", proc.User.Gid);
        SetuidStep.Emit(p, "process.user.uid", $"setresuid {proc.User.Uid}", proc.User.Uid);
        // runc: a cwd root was refused is entered again as the user (ChildCwd).
        ChdirStep.Emit(p, "process.cwd", $"chdir {cwd} again after the uid change to {proc.User.Uid}, root having been refused", a.Str(cwd), ChildCwd.AsUser);
        VerifyCwdStep.Emit(p, "process.cwd", "check the cwd is inside the container");
        PrctlStep.Emit(p, "process.user", "clear keep-capabilities", Pr.SetKeepCaps, 0);
        CapsetStep.Emit(p, "process.capabilities", $"capset effective 0x{caps.Effective:x} permitted 0x{caps.Permitted:x} inheritable 0x{caps.Inheritable:x}",
            caps.Effective, caps.Permitted, caps.Inheritable);
        if (caps.Ambient != 0)
            RaiseAmbientStep.Emit(p, "process.capabilities.ambient", $"raise ambient 0x{caps.Ambient:x}", caps.Ambient);
        // A new uid or fewer capabilities set dumpable to fs.suid_dumpable, which may be 1.
        PrctlStep.Emit(p, "", "stay not dumpable until execve", Pr.SetDumpable, 0);
        if (forkBeforeReady)
        {
            // From here on in the pid namespace: /proc/self in the container's /proc is us again.
            ForkInitStep.Emit(p, "", "fork into the container's pid namespace, credentials final");
            SetsidStep.Emit(p, "", "setsid");
        }

        var args = proc.Args ?? throw new RuntimeError("process.args: must not be empty");
        var candidates = ExecCandidates(args[0], env);
        FindExecutableStep.Emit(p, "process.args", $"find executable \"{args[0]}\" in {(args[0].Contains('/') ? "" : "$PATH ")}{string.Join(":", candidates)}",
            a.StrArray(candidates), subject: args[0]);
        ResetSignalsStep.Emit(p, "", "default signal dispositions, empty mask");
        SyncSendStep.Emit(p, "", "tell the parent the container is created", SyncType.Ready);
        p.ReadyIndex = p.Steps.Count;
        var startHooks = c.Hooks?.StartContainer ?? new List<Hook>();
        if (startHooks.Count > 0)
            SyncReceivePayloadStep.Emit(p, "", "receive the state for startContainer hooks", a.Zeroed(64 * 1024), 64 * 1024);
        if (ctx.FifoFd >= 0)
        {
            var (start, length) = RuntimeData.Hydrated;
            if (length > 0)
                ReleaseRuntimeDataStep.Emit(p, "", $"unmap the runtime's type data ({length / 1024} KiB), unused from here on", start, length);
            // Resolved in the procfs OpenPrivateProc or OpenHostProc kept, if any (ChildStart).
            WaitStartStep.Emit(p, "", $"open exec fifo /proc/self/fd/{ctx.FifoFd}", a.Str($"/proc/self/fd/{ctx.FifoFd}"), ctx.FifoFd);
        }
        LsmCompiler.Compile(p, proc);
        if (proc.NoNewPrivileges)
            PrctlStep.Emit(p, "process.noNewPrivileges", "set no_new_privs", Pr.SetNoNewPrivs, 1, 0, 0);
        if (seccomp != null && !early) p.Steps.Add(seccomp);
        // startContainer hooks run as the process would: runc 1.1.5 runs them from its init
        // right before the execve, with the LSM labels, no_new_privs and the seccomp filter in
        // place, as the process's user in its cwd, and with its environment (HOME included)
        // when they have no `env`. So they come after the late filter, not before it.
        for (int i = 0; i < startHooks.Count; i++)
        {
            var h = startHooks[i];
            RunHookStep.Emit(p, $"hooks.startContainer[{i}]", $"run startContainer hook {h.Path}",
                a.Str(h.Path), a.StrArray(h.Args is { Count: > 0 } ? h.Args : new List<string> { h.Path }), h.Env != null ? a.StrArray(h.Env) : envp, h.Timeout ?? 0);
        }
        ExecveStep.Emit(p, "process.args", $"execve [{string.Join(" ", args.Select(x => "\"" + x + "\""))}]", a.StrArray(args), envp);
    }

    /// <summary>
    /// process.env as the envp array. Without HOME, its last slot points at an entry holding
    /// "HOME=/" that the LookupHome step fills in from the container's /etc/passwd (runc does the
    /// same): inside the container, after the root switch, so nothing on the host is read.
    /// </summary>
    static (List<string> Env, long Envp) Environment(SetupProgram p, ProcessConfig proc)
    {
        var env = new List<string>(proc.Env ?? new List<string>());
        if (env.Any(e => e.StartsWith("HOME="))) return (env, p.Arena.StrArray(env));
        env.Add("HOME=/");
        long envp = p.Arena.StrArray(env);
        long entry = p.Arena.Zeroed(ChildPasswd.EntrySize);
        unsafe
        {
            "HOME=/"u8.CopyTo(new Span<byte>((byte*)entry, ChildPasswd.EntrySize));
            ((long*)envp)[env.Count - 1] = entry;
        }
        LookupHomeStep.Emit(p, "process.env", $"HOME from /etc/passwd in the container for uid {proc.User.Uid} (else /)", entry, proc.User.Uid);
        return (env, envp);
    }

    /// <summary>Where execve may find args[0]: itself if it has a slash, else each $PATH entry in turn.</summary>
    public static List<string> ExecCandidates(string arg0, List<string> env)
    {
        if (arg0.Contains('/')) return new List<string> { arg0 };
        string path = env.LastOrDefault(e => e.StartsWith("PATH="))?["PATH=".Length..] ?? DefaultPath;
        return path.Split(':').Select(d => (d.Length == 0 ? "." : d.TrimEnd('/')) + "/" + arg0).ToList();
    }
}
