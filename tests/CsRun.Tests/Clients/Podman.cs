using System.Text.Json;
using CsRun.Tests.Integration;

namespace CsRun.Tests.Clients;

/// <summary>
/// podman with csrun as its OCI runtime and every bit of state in a private dir: storage (vfs,
/// so no overlay mounts), libpod's tmp dir (exit files, events), the network config, and a
/// containers.conf of its own. Containers get a cgroup parent of ours and no network unless a
/// test asks for one. csrun keeps its state in its default root, /run/csrun, as runc does under
/// podman: podman 4.3 does not pass --runtime-flag to `podman container cleanup`, so a private
/// --root would leave every container's state behind.
/// </summary>
internal sealed class Podman : IDisposable
{
    readonly string _dir;
    readonly string _cgroupParent;
    readonly string[] _global;
    readonly Dictionary<string, string> _env;
    /// <summary>csrun's default root: podman's containers keep their csrun state there.</summary>
    const string CsrunRoot = "/run/csrun";
    readonly bool _csrunRootExisted = Directory.Exists(CsrunRoot);
    static string SeccompCache => Path.Combine(CsrunRoot, CsRun.Seccomp.SeccompCache.DirName);
    /// <summary>Several podman instances run in parallel and share /run/csrun: the seccomp cache
    /// they make is removed once, when the test process ends, if it was not there at its start.</summary>
    static readonly bool SeccompCacheExistedAtStart = RemoveSeccompCacheAtExit();

    static bool RemoveSeccompCacheAtExit()
    {
        bool existed = Directory.Exists(SeccompCache);
        if (!existed)
        {
            AppDomain.CurrentDomain.ProcessExit += (_, _) =>
            {
                try
                {
                    if (Directory.Exists(SeccompCache)) Directory.Delete(SeccompCache, recursive: true);
                    if (Directory.Exists(CsrunRoot) && !Directory.EnumerateFileSystemEntries(CsrunRoot).Any()) Directory.Delete(CsrunRoot);
                }
                catch (IOException) { }
            };
        }
        return existed;
    }

    Podman(string dir, string cgroupParent)
    {
        _ = SeccompCacheExistedAtStart; // runs the static initializer before podman first runs csrun
        _dir = dir;
        _cgroupParent = cgroupParent;
        _global = new[]
        {
            "--root", Path.Combine(dir, "root"), "--runroot", Path.Combine(dir, "runroot"), "--tmpdir", Path.Combine(dir, "tmp"),
            "--network-config-dir", Path.Combine(dir, "networks"), "--storage-driver", "vfs", "--cgroup-manager", "cgroupfs",
            "--events-backend", "file", "--runtime", TestHost.Csrun,
        };
        _env = new Dictionary<string, string>
        {
            ["CONTAINERS_CONF"] = Path.Combine(dir, "containers.conf"),
            ["CONTAINERS_STORAGE_CONF"] = Path.Combine(dir, "storage.conf"),
        };
    }

    public static Podman Setup(string dir, string cgroupParent, string imageArchive)
    {
        Directory.CreateDirectory(Path.Combine(dir, "networks"));
        // podman as root asks for RLIMIT_NOFILE and RLIMIT_NPROC of 1048576, above the hard limits
        // here (conmon runs with nproc 32768), and a host whose bounding set lacks CAP_SYS_RESOURCE
        // cannot raise them: runc and crun fail the same way. Ask for modest limits instead.
        File.WriteAllText(Path.Combine(dir, "containers.conf"),
            "[containers]\ndefault_ulimits = [\"nofile=1024:1024\", \"nproc=4096:4096\"]\n");
        File.WriteAllText(Path.Combine(dir, "storage.conf"),
            $"[storage]\ndriver = \"vfs\"\ngraphroot = \"{Path.Combine(dir, "root")}\"\nrunroot = \"{Path.Combine(dir, "runroot")}\"\n");
        var podman = new Podman(dir, cgroupParent);
        try
        {
            podman.Load(imageArchive);
            return podman;
        }
        catch
        {
            podman.Dispose();
            throw;
        }
    }

    /// <summary>
    /// `podman load`, in a mount namespace of its own where the shared blob-info cache
    /// (/var/lib/containers/cache, written by every image copy whatever --root says) is a tmpfs.
    /// </summary>
    void Load(string archive)
    {
        string target = "/var/lib/containers/cache";
        while (!Directory.Exists(target)) target = Path.GetDirectoryName(target)!;
        var args = new[] { "--mount", "--propagation", "private", "/bin/sh", "-c", "mount -t tmpfs csrun-test \"$0\" && exec \"$@\"", target, "podman" }
            .Concat(_global).Concat(new[] { "load", "-q", "-i", archive });
        var r = CsrunCli.RunProgram("unshare", args, _env);
        if (r.ExitCode != 0) throw new InvalidOperationException("podman load failed: " + r);
    }

    /// <summary>
    /// podman with the private global options. `run` and `create` also get our cgroup parent
    /// and, unless the test sets one, --network none.
    /// </summary>
    public CliResult Run(params string[] args)
    {
        var command = args.ToList();
        if (command.Count > 0 && command[0] is "run" or "create")
        {
            command.Insert(1, "--cgroup-parent=/" + _cgroupParent);
            if (!command.Any(a => a.StartsWith("--network"))) command.Insert(1, "--network=none");
        }
        return CsrunCli.RunProgram("podman", _global.Concat(command), _env);
    }

    /// <summary><see cref="Run"/> with another OCI runtime (`runc`, for comparison) in place of csrun.</summary>
    public CliResult RunWithRuntime(string runtime, params string[] args)
    {
        var command = args.ToList();
        if (command.Count > 0 && command[0] is "run" or "create")
            command.InsertRange(1, new[] { "--network=none", "--cgroup-parent=/" + _cgroupParent });
        return CsrunCli.RunProgram("podman", _global.Concat(new[] { "--runtime", runtime }).Concat(command), _env);
    }

    /// <summary>Run and expect success; returns stdout.</summary>
    /// <summary>podman with more environment (checkpoint's: a PATH that finds the CRIU to use).</summary>
    public CliResult RunWith(IReadOnlyDictionary<string, string> env, params string[] args) =>
        CsrunCli.RunProgram("podman", _global.Concat(args), _env.Concat(env).ToDictionary(kv => kv.Key, kv => kv.Value));

    public string Ok(params string[] args)
    {
        var r = Run(args);
        if (r.ExitCode != 0) throw new InvalidOperationException($"podman {string.Join(" ", args)} failed: {r}");
        return r.Stdout;
    }

    /// <summary>
    /// `podman rm` of a container that has just exited. podman 4.3 races with the `container
    /// cleanup` conmon runs on exit: rm can find the shm mount still there and fail with EBUSY
    /// (with runc as with csrun, seen 3 times in 8 under --userns=auto), so busy is retried.
    /// </summary>
    public void RemoveExited(string container)
    {
        for (var until = DateTime.UtcNow.AddSeconds(10); ; Thread.Sleep(100))
        {
            var r = Run("rm", container);
            if (r.ExitCode == 0) return;
            // A retried rm after "busy" (or podman's own exit cleanup) may find it already gone:
            // gone is what was asked; the callers' Leftovers() still checks nothing stayed.
            if (r.Stderr.Contains("no such container")) return;
            if (!r.Stderr.Contains("device or resource busy") || DateTime.UtcNow > until)
                throw new InvalidOperationException($"podman rm {container} failed: {r}");
        }
    }

    public string Inspect(string container, string format) => Ok("inspect", "--format", format, container).Trim();

    /// <summary>IDs of every container podman knows, running or not.</summary>
    public List<string> AllContainers() =>
        Ok("ps", "-a", "-q", "--no-trunc").Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();

    /// <summary>What a test may have left: containers, csrun state, container processes, mounts, container cgroups.</summary>
    public List<string> Leftovers()
    {
        var found = new List<string>();
        found.AddRange(AllContainers().Select(id => "container " + id));
        found.AddRange(CsrunStateIn(CsrunRoot).Select(id => "csrun state " + id));
        found.AddRange(HostCleanup.ContainerProcessesUnder(_dir).Select(p => "container process " + p));
        found.AddRange(HostCleanup.MountsUnder(_dir).Select(m => "mount " + m));
        found.AddRange(HostCleanup.CgroupsBelow(_cgroupParent).Where(c => Path.GetFileName(c) != "conmon").Select(c => "cgroup " + c));
        return found;
    }

    /// <summary>csrun state dirs under <paramref name="root"/> for containers whose bundle is in our storage.</summary>
    List<string> CsrunStateIn(string root)
    {
        var ids = new List<string>();
        if (!Directory.Exists(root)) return ids;
        foreach (var dir in Directory.GetDirectories(root))
        {
            try
            {
                using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "state.json")));
                if (doc.RootElement.TryGetProperty("bundle", out var b) && (b.GetString() ?? "").StartsWith(_dir))
                    ids.Add(Path.GetFileName(dir));
            }
            catch (Exception e) when (e is IOException or JsonException) { }
        }
        return ids;
    }

    /// <summary>Force-removes every container (a failed test must not leave the next one a mess).</summary>
    public void RemoveAll()
    {
        if (AllContainers().Count > 0) Run("rm", "--all", "--force", "--time", "0");
        HostCleanup.ReapAdoptedZombies();
    }

    public void Dispose()
    {
        RemoveAll();
        // conmon and its exit command run `podman container cleanup` after we return: let them finish.
        var until = DateTime.UtcNow.AddSeconds(10);
        while (HostCleanup.LiveProcessesMentioning(_dir).Count > 0 && DateTime.UtcNow < until) Thread.Sleep(50);
        HostCleanup.Kill(HostCleanup.LiveProcessesMentioning(_dir));
        HostCleanup.ReapAdoptedZombies();
        // The seccomp cache goes at process exit (SeccompCacheExistedAtStart): others may still use it.
        if (!_csrunRootExisted) HostCleanup.RemoveEmptyDirsCreatedSince(new[] { CsrunRoot }, new HashSet<string>());
    }
}
