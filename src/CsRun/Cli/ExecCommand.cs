using CsRun.Cgroups;
using CsRun.Container;
using CsRun.Diagnostics;
using CsRun.Errors;
using CsRun.Spec;
using CsRun.Spec.Validation;

namespace CsRun.Cli;

internal sealed class ExecCommand : ICommand
{
    public string Name => "exec";
    public string Usage => "execute new process inside the container";
    public string ArgsUsage => "<container-id> <command> [command options]  ||  -p process.json <container-id>";
    public bool StopAtFirstPositional => true;

    public FlagSpec[] Flags => new[]
    {
        new FlagSpec("console-socket", null, true, "path to an AF_UNIX socket which will receive a file descriptor referencing the master end of the console's pseudoterminal"),
        new FlagSpec("pidfd-socket", null, true, "path to an AF_UNIX socket which will receive a file descriptor referencing the exec process"),
        new FlagSpec("cwd", null, true, "current working directory in the container"),
        new FlagSpec("env", "e", true, "set environment variables", Repeatable: true),
        new FlagSpec("tty", "t", false, "allocate a pseudo-TTY"),
        new FlagSpec("user", "u", true, "UID (format: <uid>[:<gid>])"),
        new FlagSpec("additional-gids", "g", true, "additional gids", Repeatable: true),
        new FlagSpec("process", "p", true, "path to the process.json"),
        new FlagSpec("detach", "d", false, "detach from the container's process"),
        new FlagSpec("pid-file", null, true, "specify the file to write the process id to"),
        new FlagSpec("process-label", null, true, "set the asm process label for the process commonly used with selinux"),
        new FlagSpec("apparmor", null, true, "set the apparmor profile for the process"),
        new FlagSpec("no-new-privs", null, false, "set the no new privileges value for the process"),
        new FlagSpec("cap", "c", true, "add a capability to the bounding set for the process", Repeatable: true),
        new FlagSpec("preserve-fds", null, true, "pass N additional file descriptors to the container (stdio + $LISTEN_FDS + N in total)"),
        new FlagSpec("cgroup", null, true, "run the process in an (existing) sub-cgroup(s)", Repeatable: true),
        new FlagSpec("ignore-paused", null, false, "allow exec in a paused container"),
    };

    public int Run(GlobalOptions global, ParsedArgs args)
    {
        if (args.Positional.Count < 1) throw new RuntimeError("\"exec\" requires a minimum of 1 argument(s)");
        // Past the argument count, runc 1.1.5 reports every failure as "exec failed: …" with
        // status 255, which callers tell apart from the process's own status 1.
        try
        {
            return Exec(global, args);
        }
        catch (Exception e) when (e is RuntimeError or IOException or UnauthorizedAccessException)
        {
            throw new RuntimeError("exec failed: " + SystemErrorText.Of(e), e) { ExitStatus = 255 };
        }
    }

    static int Exec(GlobalOptions global, ParsedArgs args)
    {
        string id = args.Positional[0];
        var store = new StateStore(global.Root);
        var state = store.Load(id);
        ProcessConfig process;
        if (args.Get("process") is string file)
        {
            RefuseProcessFlags(args);
            process = FromFile(file);
            // conmon passes --tty along with a process.json that sets terminal: it must agree.
            if (args.Has("tty") && args.Bool("tty") != process.Terminal)
                throw new RuntimeError($"exec: --tty={(args.Bool("tty") ? "true" : "false")} contradicts \"terminal\": {(process.Terminal ? "true" : "false")} in {file}");
            // runc runs every exec with the container's oom_score_adj; a process.json may set its own.
            if (process.OomScoreAdj == null) process = process with { OomScoreAdj = state.Config.Process?.OomScoreAdj };
            // runc 1.2+ too for the scheduler, the I/O priority and execCPUAffinity.
            process = process with
            {
                Scheduler = process.Scheduler ?? state.Config.Process?.Scheduler,
                IoPriority = process.IoPriority ?? state.Config.Process?.IoPriority,
                ExecCpuAffinity = process.ExecCpuAffinity ?? state.Config.Process?.ExecCpuAffinity,
            };
        }
        else process = FromFlags(state.Config.Process, args);
        ProcessRules.User(process.User, "process.user");
        var subCgroups = SubCgroups.Parse(args.GetAll("cgroup"));
        return Executor.Exec(global, new ExecRequest
        {
            Id = id, Process = process, Detach = args.Bool("detach"), PidFile = args.Get("pid-file"),
            PreserveFds = PreservedFds.Checked(args.Int("preserve-fds", 0), "--preserve-fds"), IgnorePaused = args.Bool("ignore-paused"),
            ConsoleSocket = args.Get("console-socket"), PidfdSocket = args.Get("pidfd-socket"), SubCgroups = subCgroups,
        });
    }

    /// <summary>Flags that describe the process, which process.json describes instead.</summary>
    static readonly string[] ProcessFlags = { "cwd", "env", "user", "additional-gids", "process-label", "apparmor", "no-new-privs", "cap" };

    /// <summary>
    /// With --process the file is the whole process: runc 1.1.5 silently drops these flags then;
    /// csrun refuses them rather than run something other than what was asked. (--tty, which
    /// conmon passes with the file, is checked against the file's terminal instead.)
    /// </summary>
    static void RefuseProcessFlags(ParsedArgs args)
    {
        foreach (var f in ProcessFlags)
            if (args.Has(f)) throw new RuntimeError($"exec: --{f} cannot be combined with --process: set it in the process.json");
    }

    internal static ProcessConfig FromFile(string path)
    {
        int errno = ConfigLoader.ReadBounded(path, ConfigLoader.ConfigLimit, out byte[] json);
        if (errno != 0) throw new RuntimeError($"open {path}: {Linux.Errno.Message(errno)}");
        try
        {
            var process = FastConfigReader.ReadProcessJson(json) ?? throw new RuntimeError("empty process");
            ProcessRules.User(process.User, "user");
            ProcessRules.Scheduling(process);
            return process;
        }
        catch (RuntimeError e) { throw new RuntimeError($"{path}: {e.Message}"); }
    }

    /// <summary>The container's own process, changed by the command line (runc's newProcess).</summary>
    static ProcessConfig FromFlags(ProcessConfig? template, ParsedArgs args)
    {
        if (args.Positional.Count < 2) throw new RuntimeError("exec: a command to run is required (or --process)");
        var t = template ?? new ProcessConfig();
        var env = new List<string>(t.Env ?? new List<string>());
        foreach (var e in args.GetAll("env"))
        {
            string key = e.Split('=')[0];
            env.RemoveAll(x => x.Split('=')[0] == key);
            env.Add(e);
        }
        var user = t.User with { };
        if (args.Get("user") is string u)
        {
            var parts = u.Split(':');
            if (!uint.TryParse(parts[0], out uint uid) || parts.Length > 2) throw new RuntimeError($"exec: --user {u}: expected <uid>[:<gid>]");
            user.Uid = uid;
            if (parts.Length == 2)
            {
                if (!uint.TryParse(parts[1], out uint gid)) throw new RuntimeError($"exec: --user {u}: expected <uid>[:<gid>]");
                user.Gid = gid;
            }
        }
        if (args.GetAll("additional-gids").Count > 0)
            user.AdditionalGids = args.GetAll("additional-gids").Select(g => uint.TryParse(g, out uint v) ? v : throw new RuntimeError($"exec: --additional-gids {g}: not a number")).ToList();
        var caps = t.Capabilities is null ? new Capabilities() : t.Capabilities with { };
        foreach (var c in args.GetAll("cap"))
        {
            caps.Bounding = (caps.Bounding ?? new()).Append(c).ToList();
            caps.Effective = (caps.Effective ?? new()).Append(c).ToList();
            caps.Permitted = (caps.Permitted ?? new()).Append(c).ToList();
        }
        string? apparmor = t.ApparmorProfile, label = t.SelinuxLabel;
        if (args.Get("apparmor") is string profile && profile.Length > 0)
        {
            // Applied exactly as process.apparmorProfile is (LsmCompiler); a host without
            // AppArmor cannot confine the process, which is an error, not a silent run.
            if (!Launch.LsmCompiler.AppArmorEnabled())
                throw new RuntimeError($"exec --apparmor: \"{profile}\" requested, but AppArmor is not enabled on this host");
            apparmor = profile;
        }
        if (args.Get("process-label") is string l && l.Length > 0)
        {
            if (!Launch.LsmCompiler.SelinuxEnabled())
                throw new RuntimeError($"exec --process-label: \"{l}\" requested, but SELinux is not enabled on this host");
            label = l;
        }
        return t with
        {
            ApparmorProfile = apparmor,
            SelinuxLabel = label,
            Args = args.Positional.Skip(1).ToList(),
            Env = env,
            Cwd = args.Get("cwd") ?? t.Cwd,
            User = user,
            Capabilities = caps,
            NoNewPrivileges = t.NoNewPrivileges || args.Bool("no-new-privs"),
            Terminal = args.Bool("tty"),
        };
    }
}
