using System.Text.Json;
using CsRun.Tests.Integration;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Clients;

/// <summary>
/// podman 4.3's `--userns=auto` with csrun: podman picks a free slice of the subordinate ids of
/// the user `containers` (/etc/subuid, /etc/subgid; the fixture adds a range of its own) as the
/// container's uid/gid maps, and an `:idmap` volume then borrows them. runc 1.1.5 ignores the
/// `idmap` option: the volume is a plain bind, its root-owned files show as nobody (65534) and
/// cannot be written. crun 1.8 is not compared: under podman it would need cgroup v1's unified
/// mount gone from the host's mount namespace.
/// </summary>
[Collection(ClientsCollection.Name)]
public sealed class PodmanUsernsAutoTests : IClassFixture<ContainersSubids>, IDisposable
{
    readonly ClientsFixture _fixture;
    readonly ContainersSubids _subids;
    Podman P => _fixture.Podman;

    public PodmanUsernsAutoTests(ClientsFixture fixture, ContainersSubids subids)
    {
        _fixture = fixture;
        _subids = subids;
    }

    public void Dispose()
    {
        if (_fixture.PodmanStarted) P.RemoveAll();
    }

    const string Probe = "cat /proc/self/uid_map /proc/self/gid_map; stat -c '%u:%g' /data/file; touch /data/new && echo wrote; awk '$5 == \"/data\" {print $6}' /proc/self/mountinfo";

    [PodmanUsernsAutoFact]
    public void An_idmapped_volume_under_userns_auto_is_the_container_roots()
    {
        using var host = new HostTree("csrun-pauto-");
        string id = P.Ok("create", "--userns=auto", "-v", host.Dir + ":/data:idmap", _fixture.Image, "sh", "-c", Probe).Trim();
        P.Ok("init", id);

        using (var config = JsonDocument.Parse(File.ReadAllText(P.Inspect(id, "{{.OCIConfigPath}}"))))
        {
            var linux = config.RootElement.GetProperty("linux");
            foreach (var maps in new[] { "uidMappings", "gidMappings" })
            {
                var map = linux.GetProperty(maps).EnumerateArray().Should().ContainSingle(maps).Subject;
                map.GetProperty("containerID").GetUInt32().Should().Be(0);
                _subids.Holds(map.GetProperty("hostID").GetUInt32(), map.GetProperty("size").GetUInt32()).Should().BeTrue($"{maps} {map} is within the fixture's range");
            }
            var data = config.RootElement.GetProperty("mounts").EnumerateArray().Single(m => m.GetProperty("destination").GetString() == "/data");
            data.GetProperty("options").EnumerateArray().Select(o => o.GetString()).Should().Contain("idmap");
        }

        var r = P.Run("start", "--attach", id);
        r.ExitCode.Should().Be(0, r.ToString());
        var lines = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Should().HaveCount(5, r.ToString());
        foreach (var map in lines[..2]) _subids.HoldsMapLine(map).Should().BeTrue(map);
        lines[2..].Should().Equal("0:0", "wrote", "rw,relatime,idmapped");
        UsernsBundles.Sh($"test \"$(stat -c '%u:%g' {host.Dir}/new)\" = 0:0").Should().Be(0, "the container's root writes as the host's root");

        P.RemoveExited(id);
        P.Leftovers().Should().BeEmpty();
    }

    [PodmanUsernsAutoFact]
    public void Userns_auto_without_a_volume_runs_as_root_of_a_slice_of_containers_ids()
    {
        var r = P.Run("run", "--rm", "--userns=auto", _fixture.Image, "sh", "-c", "cat /proc/self/uid_map /proc/self/gid_map; id -u; touch /tmp/x && echo wrote");
        r.ExitCode.Should().Be(0, r.ToString());
        var lines = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Should().HaveCount(4, r.ToString());
        foreach (var map in lines[..2]) _subids.HoldsMapLine(map).Should().BeTrue(map);
        lines[2..].Should().Equal("0", "wrote");
        P.Leftovers().Should().BeEmpty();
    }

    /// <summary>What runc 1.1.5 does with the same podman and volume: a plain bind, not id-mapped.</summary>
    [PodmanUsernsAutoFact(Compare = "runc")]
    public void Runc_ignores_idmap_under_userns_auto()
    {
        using var host = new HostTree("csrun-pauto-");
        var r = P.RunWithRuntime("runc", "run", "--rm", "--userns=auto", "-v", host.Dir + ":/data:idmap", _fixture.Image, "sh", "-c",
            "stat -c '%u:%g' /data/file; touch /data/new 2>/dev/null && echo wrote; awk '$5 == \"/data\" {print $6}' /proc/self/mountinfo");
        r.ExitCode.Should().Be(0, r.ToString());
        r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().Equal("65534:65534", "rw,relatime");
        File.Exists(Path.Combine(host.Dir, "new")).Should().BeFalse();
        P.Leftovers().Should().BeEmpty();
    }
}

/// <summary>
/// Subordinate ids for the user `containers` (podman's source for `--userns=auto` as root): a
/// range above every existing line and above the ranges <see cref="RootlessUser"/> draws from,
/// added to /etc/subuid and /etc/subgid and removed (exactly its lines) on Dispose. Edits take
/// shadow's locks (lckpwdf's, then /etc/subuid.lock) as usermod and userdel do, so they
/// serialize with the rootless tests' users (<see cref="RootlessUser"/>).
/// </summary>
public sealed class ContainersSubids : IDisposable
{
    const uint Count = 0x100000;
    static readonly string[] Files = { "/etc/subuid", "/etc/subgid" };
    readonly string _line;
    public uint Start { get; }

    public ContainersSubids()
    {
        uint start = 0x20000000;
        Edit(lines =>
        {
            foreach (var l in lines)
            {
                var f = l.Split(':');
                if (f.Length == 3 && uint.TryParse(f[1], out uint s) && uint.TryParse(f[2], out uint n) && s + n > start) start = s + n;
            }
            return lines.Append($"containers:{start}:{Count}");
        });
        Start = start;
        _line = $"containers:{start}:{Count}";
    }

    public bool Holds(uint hostId, uint size) => hostId >= Start && (ulong)hostId + size <= (ulong)Start + Count;

    /// <summary>A /proc/PID/uid_map line "0 HOST SIZE" within the range.</summary>
    public bool HoldsMapLine(string line) =>
        line.Split(' ', StringSplitOptions.RemoveEmptyEntries) is ["0", var h, var n] && Holds(uint.Parse(h), uint.Parse(n));

    public void Dispose() => Edit(lines => lines.Where(l => l != _line));

    static readonly object Gate = new();

    static void Edit(Func<IEnumerable<string>, IEnumerable<string>> change)
    {
        lock (Gate)
        {
            using var passwdLock = PasswdLock();
            foreach (var file in Files)
            {
                using var fileLock = FileLock(file);
                File.WriteAllLines(file, change(File.ReadAllLines(file)).ToList());
            }
        }
    }

    /// <summary>
    /// lckpwdf(3)'s lock, a POSIX write lock on /etc/.pwd.lock: usermod and userdel hold it while
    /// they edit, and wait for it (15 s) where they would fail at once on a FILE.lock of ours.
    /// </summary>
    static unsafe FileStream PasswdLock()
    {
        var stream = new FileStream("/etc/.pwd.lock", FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite);
        // struct flock on x86-64: l_type, l_whence (short), l_start, l_len (off_t), l_pid; F_WRLCK over the whole file.
        var flock = stackalloc long[4];
        *(short*)flock = 1;
        for (var until = DateTime.UtcNow.AddSeconds(30); ; Thread.Sleep(20))
        {
            long r = CsRun.Linux.Libc.Sys(CsRun.Linux.Nr.Fcntl, stream.SafeFileHandle.DangerousGetHandle(), 6 /* F_SETLK */, (long)flock);
            if (r == 0) return stream;
            if (DateTime.UtcNow > until) { stream.Dispose(); throw new IOException($"lock /etc/.pwd.lock: errno {-r}"); }
        }
    }

    /// <summary>shadow's lock of one file: FILE.lock made exclusively, holding our pid; deleted on release.</summary>
    static Deleting FileLock(string file)
    {
        string path = file + ".lock";
        for (var until = DateTime.UtcNow.AddSeconds(30); ; Thread.Sleep(20))
        {
            try
            {
                var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
                stream.Write(System.Text.Encoding.ASCII.GetBytes(Environment.ProcessId.ToString()));
                stream.Flush();
                return new Deleting(stream, path);
            }
            catch (IOException) when (File.Exists(path) && DateTime.UtcNow < until) { }
        }
    }

    sealed class Deleting : IDisposable
    {
        readonly FileStream _stream;
        readonly string _path;
        public Deleting(FileStream stream, string path) => (_stream, _path) = (stream, path);
        public void Dispose()
        {
            _stream.Dispose();
            File.Delete(_path);
        }
    }
}

/// <summary>podman, mount_setattr(MOUNT_ATTR_IDMAP) (Linux 5.12), and shadow's tools for the subid files.</summary>
public sealed class PodmanUsernsAutoFactAttribute : FactAttribute
{
    public PodmanUsernsAutoFactAttribute() =>
        Skip = ClientTools.SkipUnlessInstalled("podman", "conmon", "unshare")
            ?? (Environment.OSVersion.Version < new Version(5, 12) ? "id-mapped mounts need Linux 5.12" : null)
            ?? (File.Exists("/etc/subuid") && File.Exists("/etc/subgid") ? null : "/etc/subuid or /etc/subgid missing (./build.sh deps installs uidmap)");

    /// <summary>Another runtime the test runs podman with: skipped where it is not installed.</summary>
    public string? Compare
    {
        get => _compare;
        set
        {
            _compare = value;
            Skip ??= value is null ? null : ClientTools.SkipUnlessInstalled(value);
        }
    }
    string? _compare;
}
