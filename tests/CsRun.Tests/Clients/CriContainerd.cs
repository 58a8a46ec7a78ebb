using System.Diagnostics;
using System.Net.Sockets;
using CsRun.Tests.Clients.Cri;
using CsRun.Tests.Integration;
using Grpc.Net.Client;

namespace CsRun.Tests.Clients;

/// <summary>
/// A containerd of our own with its CRI plugin on, as a Kubernetes node runs it: root, state, socket
/// and config in a private dir, the native snapshotter, the default handler runc and a handler
/// "csrun" (the runc v2 shim with BinaryName = csrun and a private Root), which a RuntimeClass names. kubelet's calls
/// come through <see cref="Runtime"/> and <see cref="Images"/>, gRPC on the daemon's unix socket.
/// Pods use the node's network, or a pod network through CNI: a bridge of our own, with no address
/// on the host (no route, no iptables rule) and a private subnet. The pause and busybox images are
/// imported into the CRI's namespace beforehand (no registry is reachable).
/// </summary>
internal sealed class CriContainerd : IDisposable
{
    public const string Handler = "csrun";
    /// <summary>The containerd namespace the CRI plugin keeps everything in.</summary>
    public const string Namespace = "k8s.io";

    readonly string _dir;
    readonly HashSet<string> _sharedDirsBefore;
    /// <summary>libcni's cache, in /var/lib/cni whatever the config says: one result per pod network attachment.</summary>
    static readonly string[] CniCacheDirs = { "/var/lib/cni", "/var/lib/cni/results" };
    readonly HashSet<string> _cniDirsBefore;
    Process? _daemon;
    GrpcChannel? _channel;

    /// <summary>The runtime binary behind the handler: csrun, or another runc-compatible one to compare (CSRUN_CRI_RUNTIME).</summary>
    public static string RuntimeBinary { get; } = Environment.GetEnvironmentVariable("CSRUN_CRI_RUNTIME") is { Length: > 0 } r ? r : TestHost.Csrun;

    /// <summary>Parent cgroup of the pods (cgroupfs style, as kubelet's cgroup_parent).</summary>
    public string CgroupParent { get; }
    public string Socket => Path.Combine(_dir, "containerd.sock");
    /// <summary>The runtime's --root: the shim adds the namespace, so a container's state is in RuntimeRoot/k8s.io/&lt;id&gt;.</summary>
    public string RuntimeRoot => Path.Combine(_dir, "runtime-root");
    /// <summary>The --root of the default handler's runc (pods that name no RuntimeClass).</summary>
    public string DefaultRuntimeRoot => Path.Combine(_dir, "runc-root");
    public string LogDir => Path.Combine(_dir, "pod-logs");

    public RuntimeService.RuntimeServiceClient Runtime { get; private set; } = null!;
    public ImageService.ImageServiceClient Images { get; private set; } = null!;

    /// <summary>The pod network's subnet: its bridge has no address on the host, so nothing outside the pods reaches it.</summary>
    public const string PodSubnet = "10.213.47.0/24";
    /// <summary>The host bridge of the pod network (at most 15 characters), removed on Dispose.</summary>
    public string Bridge { get; }

    CriContainerd(string dir, string cgroupParent)
    {
        _dir = dir;
        CgroupParent = cgroupParent;
        Bridge = "csrcri-" + Guid.NewGuid().ToString("N")[..8];
        _sharedDirsBefore = Containerd.SharedDirs.Where(Directory.Exists).ToHashSet();
        _cniDirsBefore = CniCacheDirs.Where(Directory.Exists).ToHashSet();
    }

    public static CriContainerd Start(string dir, string cgroupParent, params string[] imageArchives)
    {
        Directory.CreateDirectory(dir);
        var c = new CriContainerd(dir, cgroupParent);
        try
        {
            c.StartDaemon();
            foreach (var archive in imageArchives)
            {
                var r = c.Ctr("image", "import", "--all-platforms", archive);
                if (r.ExitCode != 0) throw new InvalidOperationException("ctr image import failed: " + r);
            }
            return c;
        }
        catch
        {
            c.Dispose();
            throw;
        }
    }

    void StartDaemon()
    {
        string cniConf = Directory.CreateDirectory(Path.Combine(_dir, "cni-conf")).FullName;
        File.WriteAllText(Path.Combine(cniConf, "10-csrun-test.conflist"), $$"""
            {
              "cniVersion": "0.4.0",
              "name": "csrun-test",
              "plugins": [{
                "type": "bridge", "bridge": "{{Bridge}}", "isGateway": false, "ipMasq": false,
                "ipam": { "type": "host-local", "ranges": [[{ "subnet": "{{PodSubnet}}" }]], "dataDir": "{{Path.Combine(_dir, "cni-ipam")}}" }
              }]
            }
            """);
        string config = Path.Combine(_dir, "config.toml");
        File.WriteAllText(config, Containerd.DaemonConfig(_dir, Socket, cri: true) + $"""
            [plugins."io.containerd.grpc.v1.cri"]
              sandbox_image = "{CriPauseImage.Name}"
              stream_server_address = "127.0.0.1"
              stream_server_port = "0"
              enable_selinux = false
              netns_mounts_under_state_dir = true
              disable_apparmor = true
              restrict_oom_score_adj = {(CanLowerOomScoreAdj() ? "false" : "true")}
              [plugins."io.containerd.grpc.v1.cri".containerd]
                snapshotter = "native"
                default_runtime_name = "runc"
                [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
                  runtime_type = "io.containerd.runc.v2"
                  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
                    Root = "{DefaultRuntimeRoot}"
                [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.{Handler}]
                  runtime_type = "io.containerd.runc.v2"
                  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.{Handler}.options]
                    BinaryName = "{RuntimeBinary}"
                    Root = "{RuntimeRoot}"
                    SystemdCgroup = false
              [plugins."io.containerd.grpc.v1.cri".cni]
                bin_dir = "/usr/lib/cni"
                conf_dir = "{cniConf}"
            """);
        _daemon = Containerd.Launch(config, DaemonLog);

        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, ct) =>
            {
                var s = new System.Net.Sockets.Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await s.ConnectAsync(new UnixDomainSocketEndPoint(Socket), ct);
                    return new NetworkStream(s, ownsSocket: true);
                }
                catch
                {
                    s.Dispose();
                    throw;
                }
            },
        };
        // The host name is not used: every connection goes to the daemon's unix socket.
        _channel = GrpcChannel.ForAddress("http://localhost", new GrpcChannelOptions { HttpHandler = handler });
        Runtime = new RuntimeService.RuntimeServiceClient(_channel);
        Images = new ImageService.ImageServiceClient(_channel);

        var until = DateTime.UtcNow.AddSeconds(30);
        while (!Ready())
        {
            if (_daemon.HasExited || DateTime.UtcNow > until)
                throw new InvalidOperationException("containerd's CRI did not start: " + File.ReadAllText(DaemonLog));
            Thread.Sleep(100);
        }
    }

    /// <summary>
    /// Whether this host lets root lower an oom_score_adj (CAP_SYS_RESOURCE in the bounding set). If not
    /// (a host inside a container), the pause container's -998 fails in every runtime, runc's
    /// included: containerd's restrict_oom_score_adj, meant for such hosts, raises it to its own.
    /// </summary>
    static bool CanLowerOomScoreAdj()
    {
        string bnd = File.ReadAllLines("/proc/self/status").First(l => l.StartsWith("CapBnd:"))[7..].Trim();
        return (Convert.ToUInt64(bnd, 16) & (1UL << 24 /* CAP_SYS_RESOURCE */)) != 0;
    }

    bool Ready()
    {
        try
        {
            return Runtime.Version(new VersionRequest { Version = "v1" }, deadline: DateTime.UtcNow.AddSeconds(2)).RuntimeApiVersion.Length > 0;
        }
        catch (Grpc.Core.RpcException)
        {
            return false;
        }
    }

    public string DaemonLog => Path.Combine(_dir, "containerd.log");

    /// <summary>ctr against our daemon in the CRI's namespace, with the native snapshotter the CRI unpacks for.</summary>
    public CliResult Ctr(params string[] args) =>
        CsrunCli.RunProgram("ctr", new[] { "--address", Socket, "--namespace", Namespace }.Concat(args),
            new Dictionary<string, string> { ["CONTAINERD_SNAPSHOTTER"] = "native" });

    /// <summary>What the runtime itself reports of a container, with the same --root the shim gives it.</summary>
    public CliResult RuntimeState(string id) =>
        CsrunCli.RunProgram(RuntimeBinary, new[] { "--root", Path.Combine(RuntimeRoot, Namespace), "state", id });

    /// <summary>Stops and removes every pod (and so every container in it), as kubelet does on drain.</summary>
    public void RemoveAll()
    {
        foreach (var pod in Runtime.ListPodSandbox(new ListPodSandboxRequest()).Items)
        {
            Runtime.StopPodSandbox(new PodSandboxIdRequest { PodSandboxId = pod.Id });
            Runtime.RemovePodSandbox(new PodSandboxIdRequest { PodSandboxId = pod.Id });
        }
        WaitForShimsToExit();
    }

    /// <summary>What the pods may have left: pods, runtime state, shims, container processes, mounts, cgroups.</summary>
    public List<string> Leftovers()
    {
        var found = new List<string>();
        found.AddRange(Runtime.ListPodSandbox(new ListPodSandboxRequest()).Items.Select(p => "pod " + p.Id));
        foreach (var root in new[] { RuntimeRoot, DefaultRuntimeRoot })
        {
            string state = Path.Combine(root, Namespace);
            found.AddRange(HostCleanup.CsrunStateDirs(state).Select(d => "runtime state " + d));
        }
        found.AddRange(Shims().Select(p => "shim " + p));
        found.AddRange(HostCleanup.ContainerProcessesUnder(_dir).Select(p => "container process " + p));
        found.AddRange(HostCleanup.MountsUnder(Path.Combine(_dir, "state")).Select(m => "mount " + m));
        found.AddRange(HostCleanup.MountsUnder(Path.Combine(_dir, "root")).Select(m => "mount " + m));
        found.AddRange(HostCleanup.CgroupsBelow(CgroupParent).Select(c => "cgroup " + c));
        if (Directory.Exists($"/sys/class/net/{Bridge}/brif"))
            found.AddRange(Directory.GetFileSystemEntries($"/sys/class/net/{Bridge}/brif").Select(v => "veth " + Path.GetFileName(v)));
        return found;
    }

    List<int> Shims() => Containerd.ShimsOf(Socket, _daemon);

    public void WaitForShimsToExit(int timeoutMs = 5000) => Containerd.WaitForShimsToExit(Socket, _daemon, timeoutMs);

    public void Dispose()
    {
        try
        {
            if (_daemon is { HasExited: false } && _channel != null) RemoveAll();
        }
        finally
        {
            _channel?.Dispose();
            Containerd.Stop(_daemon, _dir, _sharedDirsBefore);
            if (Directory.Exists("/sys/class/net/" + Bridge)) CsrunCli.RunProgram("ip", new[] { "link", "delete", Bridge });
            RemoveCniCache();
        }
    }

    /// <summary>The cached results of our attachments (they name our netns path) that a failed removal left, then the dirs if we made them.</summary>
    void RemoveCniCache()
    {
        string results = CniCacheDirs[1];
        if (Directory.Exists(results))
        {
            foreach (var f in Directory.GetFiles(results, "csrun-test-*"))
            {
                try { if (File.ReadAllText(f).Contains(_dir)) File.Delete(f); }
                catch (IOException) { }
            }
        }
        HostCleanup.RemoveEmptyDirsCreatedSince(CniCacheDirs, _cniDirsBefore);
    }
}
