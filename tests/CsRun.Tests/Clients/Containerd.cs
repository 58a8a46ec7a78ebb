using System.Diagnostics;
using CsRun.Tests.Integration;

namespace CsRun.Tests.Clients;

/// <summary>
/// A containerd daemon of our own: root, state, socket and config in a private dir, the CRI
/// plugin off, the native snapshotter (no overlay mounts). Tasks run through the stock runc v2
/// shim pointed at csrun (`--runc-binary`), with csrun's state in a private --runc-root.
/// </summary>
internal sealed class Containerd : IDisposable
{
    /// <summary>The runc v2 shim keeps its sockets in /run/containerd/s whatever the daemon's config says.</summary>
    internal static readonly string[] SharedDirs = { "/run/containerd", "/run/containerd/s", "/run/containerd/fifo" };

    readonly string _dir;
    readonly HashSet<string> _sharedDirsBefore;
    Process? _daemon;

    public string Namespace { get; }
    public string Socket => Path.Combine(_dir, "containerd.sock");
    public string RuncRoot => Path.Combine(_dir, "csrun");
    public string FifoDir => Path.Combine(_dir, "fifo");
    /// <summary>ctr puts each container in the cgroup /&lt;namespace&gt;/&lt;id&gt;.</summary>
    public string CgroupParent => Namespace;

    Containerd(string dir, string ns)
    {
        _dir = dir;
        Namespace = ns;
        _sharedDirsBefore = SharedDirs.Where(Directory.Exists).ToHashSet();
    }

    /// <summary><paramref name="env"/>: variables the daemon, and so its shims and their runc, get on top of ours (a PATH with CRIU).</summary>
    public static Containerd Start(string dir, string ns, string imageArchive, IDictionary<string, string>? env = null)
    {
        Directory.CreateDirectory(dir);
        var c = new Containerd(dir, ns);
        try
        {
            c.StartDaemon(env);
            var r = c.Ctr("image", "import", "--all-platforms", imageArchive);
            if (r.ExitCode != 0) throw new InvalidOperationException("ctr image import failed: " + r);
            return c;
        }
        catch
        {
            c.Dispose();
            throw;
        }
    }

    void StartDaemon(IDictionary<string, string>? env)
    {
        string config = Path.Combine(_dir, "config.toml");
        File.WriteAllText(config, DaemonConfig(_dir, Socket, cri: false));
        _daemon = Launch(config, Path.Combine(_dir, "containerd.log"), env);
        var until = DateTime.UtcNow.AddSeconds(20);
        while (Ctr("version").ExitCode != 0)
        {
            if (_daemon.HasExited || DateTime.UtcNow > until)
                throw new InvalidOperationException("containerd did not start: " + File.ReadAllText(Path.Combine(_dir, "containerd.log")));
            Thread.Sleep(50);
        }
    }

    /// <summary>ctr against our daemon and namespace, with the native snapshotter.</summary>
    public CliResult Ctr(params string[] args) =>
        CsrunCli.RunProgram("ctr", new[] { "--address", Socket, "--namespace", Namespace }.Concat(args),
            new Dictionary<string, string> { ["CONTAINERD_SNAPSHOTTER"] = "native" });

    /// <summary>
    /// `ctr run` through the runc v2 shim with csrun as the runtime binary: <paramref name="options"/>
    /// are ctr run's, then the image, the container id and the command.
    /// </summary>
    public CliResult Run(string[] options, string id, params string[] command) => RunWith(TestHost.Csrun, options, id, command);

    /// <summary>`ctr run` as <see cref="Run"/> with another runtime binary (runc, to compare).</summary>
    public CliResult RunWith(string runcBinary, string[] options, string id, params string[] command) =>
        Ctr(new[] { "run", "--runtime", "io.containerd.runc.v2", "--runc-binary", runcBinary, "--runc-root", RuncRoot, "--fifo-dir", FifoDir }
            .Concat(options).Concat(new[] { OciImage.Name, id }).Concat(command).ToArray());

    public List<string> Tasks() => Lines(Ctr("task", "ls", "--quiet"));
    public List<string> Containers() => Lines(Ctr("container", "ls", "--quiet"));

    static List<string> Lines(CliResult r) =>
        r.ExitCode == 0 ? r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList() : throw new InvalidOperationException(r.ToString());

    /// <summary>What a test may have left: tasks, containers, csrun state, shims, container processes, mounts, cgroups.</summary>
    public List<string> Leftovers()
    {
        var found = new List<string>();
        found.AddRange(Tasks().Select(t => "task " + t));
        found.AddRange(Containers().Select(c => "container " + c));
        string csrunState = Path.Combine(RuncRoot, Namespace);
        found.AddRange(HostCleanup.CsrunStateDirs(csrunState).Select(d => "csrun state " + d));
        found.AddRange(Shims().Select(p => "shim " + p));
        found.AddRange(HostCleanup.ContainerProcessesUnder(_dir).Select(p => "container process " + p));
        found.AddRange(HostCleanup.MountsUnder(_dir).Select(m => "mount " + m));
        found.AddRange(HostCleanup.CgroupsBelow(CgroupParent).Select(c => "cgroup " + c));
        return found;
    }

    List<int> Shims() => ShimsOf(Socket, _daemon);

    /// <summary>Waits for the shims of deleted tasks to exit (they shut down just after the delete returns).</summary>
    public void WaitForShimsToExit(int timeoutMs = 5000) => WaitForShimsToExit(Socket, _daemon, timeoutMs);

    /// <summary>
    /// The daemon part of a private containerd's config: root, state, sockets and opt in <paramref name="dir"/>,
    /// no debug or metrics listener, the snapshotters that need a special filesystem off, and the CRI plugin off unless <paramref name="cri"/>.
    /// </summary>
    internal static string DaemonConfig(string dir, string socket, bool cri) => $"""
        version = 2
        root = "{Path.Combine(dir, "root")}"
        state = "{Path.Combine(dir, "state")}"
        disabled_plugins = [{(cri ? "" : "\"io.containerd.grpc.v1.cri\", ")}"io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs",
          "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs"]
        [grpc]
          address = "{socket}"
        [ttrpc]
          address = "{socket}.ttrpc"
        [debug]
          address = ""
        [metrics]
          address = ""
        [plugins."io.containerd.internal.v1.opt"]
          path = "{Path.Combine(dir, "opt")}"

        """;

    /// <summary>Starts `containerd --config <paramref name="config"/>`, its output to <paramref name="log"/>.</summary>
    internal static Process Launch(string config, string log, IDictionary<string, string>? env = null)
    {
        var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        foreach (var (k, v) in env ?? new Dictionary<string, string>()) psi.Environment[k] = v;
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("exec containerd --config \"$0\" >\"$1\" 2>&1 </dev/null");
        psi.ArgumentList.Add(config);
        psi.ArgumentList.Add(log);
        return Process.Start(psi)!;
    }

    /// <summary>Shim processes of the daemon on <paramref name="socket"/> (they name it on their command line).</summary>
    internal static List<int> ShimsOf(string socket, Process? daemon) =>
        HostCleanup.LiveProcessesMentioning(socket).Where(p => daemon == null || p != daemon.Id).ToList();

    internal static void WaitForShimsToExit(string socket, Process? daemon, int timeoutMs)
    {
        var until = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (ShimsOf(socket, daemon).Count > 0 && DateTime.UtcNow < until) Thread.Sleep(20);
        HostCleanup.ReapAdoptedZombies();
    }

    /// <summary>Kills the daemon, then whatever still names <paramref name="dir"/> (shims) or runs from it (containers), and unmounts it.</summary>
    internal static void Stop(Process? daemon, string dir, ISet<string> sharedDirsBefore)
    {
        if (daemon is { HasExited: false })
        {
            daemon.Kill();
            daemon.WaitForExit(10_000);
        }
        daemon?.Dispose();
        HostCleanup.Kill(HostCleanup.LiveProcessesMentioning(dir));
        HostCleanup.Kill(HostCleanup.ContainerProcessesUnder(dir));
        HostCleanup.ReapAdoptedZombies();
        HostCleanup.UnmountUnder(dir);
        HostCleanup.RemoveEmptyDirsCreatedSince(SharedDirs, sharedDirsBefore);
    }

    /// <summary>Kills and deletes every task and container (a failed test must not leave the next one a mess).</summary>
    public void RemoveAll()
    {
        foreach (var t in Tasks())
        {
            Ctr("task", "kill", "--all", "--signal", "SIGKILL", t);
            Ctr("task", "delete", "--force", t);
        }
        foreach (var c in Containers()) Ctr("container", "delete", c);
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
            Stop(_daemon, _dir, _sharedDirsBefore);
        }
    }
}
