using System.Diagnostics;
using System.Text.Json.Nodes;
using CsRun.Tests.Integration;

namespace CsRun.Tests.Clients;

/// <summary>
/// A dockerd of our own (Debian's docker.io 20.10) with csrun registered as the runtime "csrun"
/// in its daemon.json. Data root, exec root, pidfile, socket and the containerd it manages all
/// live in a private dir; no bridge, no iptables, no forwarding, the vfs driver (no overlay
/// mounts), containers under a cgroup parent of ours. The shim runs every runtime with
/// --root &lt;exec-root&gt;/runtime-runc/moby (20.10 shares that root between runtimes).
/// </summary>
internal sealed class Docker : IDisposable
{
    /// <summary>Host paths dockerd writes whatever its flags say: the trust key, the plugin socket dir.</summary>
    static readonly string[] SharedDirs = { "/etc/docker", "/run/docker", "/run/docker/plugins" };
    const string TrustKey = "/etc/docker/key.json";

    readonly string _dir;
    readonly HashSet<string> _sharedDirsBefore;
    readonly HashSet<string> _containerdDirsBefore;
    readonly bool _trustKeyExisted = File.Exists(TrustKey);
    readonly Dictionary<string, string> _env;
    Process? _daemon;

    public string CgroupParent { get; }
    public string Socket => Path.Combine(_dir, "docker.sock");
    string DataRoot => Path.Combine(_dir, "data");
    string ExecRoot => Path.Combine(_dir, "exec");
    /// <summary>The runtime's --root the shim passes for every container: &lt;exec-root&gt;/runtime-runc/&lt;namespace moby&gt;.</summary>
    public string RuntimeRoot => Path.Combine(ExecRoot, "runtime-runc", "moby");
    string Log => Path.Combine(_dir, "dockerd.log");

    Docker(string dir, string cgroupParent)
    {
        _dir = dir;
        CgroupParent = cgroupParent;
        _sharedDirsBefore = SharedDirs.Where(Directory.Exists).ToHashSet();
        _containerdDirsBefore = Containerd.SharedDirs.Where(Directory.Exists).ToHashSet();
        // The client's own config (contexts, auth) stays in our dir too.
        _env = new Dictionary<string, string> { ["DOCKER_HOST"] = "unix://" + Socket, ["DOCKER_CONFIG"] = Path.Combine(dir, "client") };
    }

    public static Docker Start(string dir, string cgroupParent, string ociArchive)
    {
        Directory.CreateDirectory(dir);
        var d = new Docker(dir, cgroupParent);
        try
        {
            d.StartDaemon();
            d.Ok("load", "-q", "-i", DockerImage.FromOciArchive(ociArchive, dir));
            return d;
        }
        catch
        {
            d.Dispose();
            throw;
        }
    }

    void StartDaemon()
    {
        string config = Path.Combine(_dir, "daemon.json");
        File.WriteAllText(config, new JsonObject { ["runtimes"] = new JsonObject { ["csrun"] = new JsonObject { ["path"] = TestHost.Csrun } } }.ToJsonString());
        var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("log=$1; shift; exec dockerd \"$@\" >\"$log\" 2>&1 </dev/null");
        psi.ArgumentList.Add("sh");
        psi.ArgumentList.Add(Log);
        foreach (var a in new[]
        {
            "--config-file", config, "--data-root", DataRoot, "--exec-root", ExecRoot,
            "--pidfile", Path.Combine(_dir, "dockerd.pid"), "--host", "unix://" + Socket,
            "--iptables=false", "--ip6tables=false", "--ip-forward=false", "--ip-masq=false", "--bridge=none",
            "--userland-proxy=false", "--storage-driver", "vfs", "--exec-opt", "native.cgroupdriver=cgroupfs",
            "--cgroup-parent", "/" + CgroupParent,
        }) psi.ArgumentList.Add(a);
        _daemon = Process.Start(psi)!;
        var until = DateTime.UtcNow.AddSeconds(60);
        while (Run("version", "--format", "{{.Server.Version}}").ExitCode != 0)
        {
            if (_daemon.HasExited || DateTime.UtcNow > until)
                throw new InvalidOperationException("dockerd did not start: " + File.ReadAllText(Log));
            Thread.Sleep(100);
        }
    }

    /// <summary>The docker client against our daemon.</summary>
    public CliResult Run(params string[] args) => CsrunCli.RunProgram("docker", args, _env);

    /// <summary>Run and expect success; returns stdout, trimmed.</summary>
    public string Ok(params string[] args)
    {
        var r = Run(args);
        if (r.ExitCode != 0) throw new InvalidOperationException($"docker {string.Join(" ", args)} failed: {r}");
        return r.Stdout.Trim();
    }

    public string Inspect(string container, string format) => Ok("inspect", "--format", format, container);

    /// <summary>Full IDs of every container the daemon knows, running or not.</summary>
    public List<string> AllContainers() =>
        Ok("ps", "--all", "--quiet", "--no-trunc").Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();

    /// <summary>The runtime's state dir of a container (full id), present while the container exists in the runtime.</summary>
    public string StateDir(string id) => Path.Combine(RuntimeRoot, id);

    /// <summary>What a test may have left: containers, runtime state, shims, container processes, mounts, cgroups.</summary>
    public List<string> Leftovers()
    {
        var found = new List<string>();
        found.AddRange(AllContainers().Select(c => "container " + c));
        found.AddRange(HostCleanup.CsrunStateDirs(RuntimeRoot).Select(d => "runtime state " + d));
        found.AddRange(Shims().Select(p => "shim " + p));
        found.AddRange(HostCleanup.ContainerProcessesUnder(_dir).Select(p => "container process " + p));
        // dockerd keeps its data root bind-mounted on itself while it runs (propagation).
        found.AddRange(HostCleanup.MountsUnder(_dir).Where(m => m != DataRoot).Select(m => "mount " + m));
        found.AddRange(HostCleanup.CgroupsBelow(CgroupParent).Select(c => "cgroup " + c));
        return found;
    }

    /// <summary>The containerd shims of our daemon's containerd (they name its socket, under our exec root).</summary>
    List<int> Shims() =>
        HostCleanup.LiveProcessesMentioning(ExecRoot).Where(IsShim).ToList();

    static bool IsShim(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/comm").StartsWith("containerd-shim"); }
        catch (IOException) { return false; }
    }

    /// <summary>Waits for the shims of removed containers to exit (they shut down just after the delete returns).</summary>
    public void WaitForShimsToExit(int timeoutMs = 5000)
    {
        var until = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (Shims().Count > 0 && DateTime.UtcNow < until) Thread.Sleep(20);
        HostCleanup.ReapAdoptedZombies();
    }

    /// <summary>Force-removes every container (a failed test must not leave the next one a mess).</summary>
    public void RemoveAll()
    {
        var all = AllContainers();
        if (all.Count > 0) Run(new[] { "rm", "--force" }.Concat(all).ToArray());
        WaitForShimsToExit();
    }

    public void Dispose()
    {
        try
        {
            if (_daemon is { HasExited: false }) RemoveAll();
        }
        finally
        {
            // SIGTERM: dockerd stops its containerd and undoes its data-root mount on the way out.
            if (_daemon is { HasExited: false })
            {
                CsrunCli.RunProgram("kill", new[] { "-TERM", _daemon.Id.ToString() });
                if (!_daemon.WaitForExit(30_000)) _daemon.Kill();
                _daemon.WaitForExit(10_000);
            }
            _daemon?.Dispose();
            HostCleanup.Kill(HostCleanup.LiveProcessesMentioning(_dir));
            HostCleanup.ReapAdoptedZombies();
            HostCleanup.UnmountUnder(_dir);
            if (!_trustKeyExisted && File.Exists(TrustKey)) File.Delete(TrustKey);
            HostCleanup.RemoveEmptyDirsCreatedSince(SharedDirs, _sharedDirsBefore);
            HostCleanup.RemoveEmptyDirsCreatedSince(Containerd.SharedDirs, _containerdDirsBefore);
        }
    }
}
