using Xunit;

namespace CsRun.Tests.Clients;

[CollectionDefinition(Name)]
public sealed class ClientsCollection : ICollectionFixture<ClientsFixture>
{
    public const string Name = "container managers";
}

/// <summary>
/// Shared by the podman, containerd and docker tests, once per test run: a temp dir, the busybox image
/// built into it, and each manager set up on first use with all its state inside that dir
/// (a private containerd daemon, podman's storage, a private dockerd). Dispose always tears everything down:
/// containers, the daemon, shims, mounts, cgroups, zombies, the dir.
/// </summary>
public sealed class ClientsFixture : IDisposable
{
    /// <summary>Short and unique: names this run's containerd namespace and cgroup parents.</summary>
    public string Tag { get; } = "csrun-clients-" + Guid.NewGuid().ToString("N")[..8];
    public string Dir { get; }
    public string Image => OciImage.Name;
    string PodmanCgroupParent => Tag + "-podman";
    /// <summary>Also the cgroup parent of its containers: ctr puts each in /&lt;namespace&gt;/&lt;id&gt;.</summary>
    string ContainerdNamespace => Tag + "-containerd";
    string DockerCgroupParent => Tag + "-docker";
    string CriCgroupParent => Tag + "-cri";

    readonly Lazy<string> _archive;
    readonly Lazy<Podman> _podman;
    readonly Lazy<Containerd> _containerd;
    readonly Lazy<Docker> _docker;
    readonly Lazy<CriContainerd> _cri;
    /// <summary>The shims' shared dirs as they were before any daemon of this run: the last one out removes what they added.</summary>
    readonly HashSet<string> _sharedDirsBefore = Containerd.SharedDirs.Where(Directory.Exists).ToHashSet();

    public ClientsFixture()
    {
        Dir = Path.Combine(Path.GetTempPath(), Tag);
        Directory.CreateDirectory(Dir);
        _archive = new(() => OciImage.Build(Directory.CreateDirectory(Path.Combine(Dir, "image")).FullName));
        _podman = new(() => Podman.Setup(Path.Combine(Dir, "podman"), PodmanCgroupParent, _archive.Value));
        _containerd = new(() => Containerd.Start(Path.Combine(Dir, "containerd"), ContainerdNamespace, _archive.Value));
        _docker = new(() => Docker.Start(Path.Combine(Dir, "docker"), DockerCgroupParent, _archive.Value));
        _cri = new(() => CriContainerd.Start(Path.Combine(Dir, "cri"), "/" + CriCgroupParent,
            CriPauseImage.Build(Path.Combine(Dir, "pause-image")), _archive.Value));
    }

    /// <summary>podman with private storage and the image loaded (set up on first use).</summary>
    internal Podman Podman => _podman.Value;

    /// <summary>A private containerd with the image imported (started on first use).</summary>
    internal Containerd Containerd => _containerd.Value;

    /// <summary>A private dockerd with csrun registered as a runtime and the image loaded (started on first use).</summary>
    internal Docker Docker => _docker.Value;

    /// <summary>A private containerd with its CRI plugin, the csrun handler and the pause and busybox images (started on first use).</summary>
    internal CriContainerd Cri => _cri.Value;

    internal bool PodmanStarted => _podman.IsValueCreated;
    internal bool ContainerdStarted => _containerd.IsValueCreated;
    internal bool DockerStarted => _docker.IsValueCreated;
    internal bool CriStarted => _cri.IsValueCreated;

    public void Dispose()
    {
        var errors = new List<Exception>();
        void Try(Action a) { try { a(); } catch (Exception e) { errors.Add(e); } }
        if (_docker.IsValueCreated) Try(_docker.Value.Dispose);
        if (_cri.IsValueCreated) Try(_cri.Value.Dispose);
        if (_containerd.IsValueCreated) Try(_containerd.Value.Dispose);
        if (_podman.IsValueCreated) Try(_podman.Value.Dispose);
        Try(() => HostCleanup.RemoveCgroupTree(PodmanCgroupParent));
        Try(() => HostCleanup.RemoveCgroupTree(ContainerdNamespace));
        Try(() => HostCleanup.RemoveCgroupTree(DockerCgroupParent));
        Try(() => HostCleanup.RemoveCgroupTree(CriCgroupParent));
        Try(HostCleanup.ReapAdoptedZombies);
        Try(() => HostCleanup.RemoveEmptyDirsCreatedSince(Containerd.SharedDirs, _sharedDirsBefore));
        Try(() => HostCleanup.UnmountUnder(Dir));
        Try(() => Directory.Delete(Dir, recursive: true));
        if (errors.Count > 0) throw new AggregateException("cleaning up after the container manager tests", errors);
    }
}
