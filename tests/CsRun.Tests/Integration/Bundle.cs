using System.Text.Json;
using CsRun.Spec;

namespace CsRun.Tests.Integration;

/// <summary>
/// A busybox bundle in a fresh temp directory with its own --root, and the config runc spec
/// would write (terminal off). Dispose deletes any container left, then the directory.
/// </summary>
internal sealed class Bundle : IDisposable
{
    public string Dir { get; }
    public string Rootfs => Path.Combine(Dir, "rootfs");
    public string StateRoot => Path.Combine(Dir, "state");
    public Config Config { get; set; }
    readonly List<string> _ids = new();

    static readonly string[] Applets =
    {
        "sh", "ls", "cat", "echo", "uname", "sleep", "true", "false", "id", "hostname", "mount", "ps", "grep", "touch",
        "stat", "readlink", "ulimit", "env", "pwd", "kill", "wc", "head", "mkdir", "umask", "test", "tr", "awk", "sed", "nproc", "ln", "rm",
    };

    public Bundle(params string[] args)
    {
        Dir = Path.Combine(Path.GetTempPath(), "csrun-test-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path.Combine(Rootfs, "bin"));
        foreach (var d in new[] { "proc", "sys", "dev", "etc", "tmp", "root" }) Directory.CreateDirectory(Path.Combine(Rootfs, d));
        File.Copy("/bin/busybox", Path.Combine(Rootfs, "bin", "busybox"));
        foreach (var a in Applets) File.CreateSymbolicLink(Path.Combine(Rootfs, "bin", a), "busybox");
        File.WriteAllText(Path.Combine(Rootfs, "etc", "passwd"), "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n");
        File.WriteAllText(Path.Combine(Rootfs, "etc", "group"), "root:x:0:\nnogroup:x:65534:\n");
        Config = DefaultConfig(args.Length > 0 ? args : new[] { "true" });
    }

    /// <summary>A new container id owned by this bundle; Dispose force-deletes it.</summary>
    public string NewId(string prefix = "t")
    {
        var id = TestHost.UniqueId(prefix);
        _ids.Add(id);
        return id;
    }

    /// <summary>Written whole and renamed into place: a csrun already running from this bundle
    /// (a `run` the test polls with `state`) must never read a half-written config.json.</summary>
    public void Save()
    {
        string path = Path.Combine(Dir, "config.json");
        File.WriteAllText(path + ".tmp", CsRun.Tests.Spec.ReferenceJson.Serialize(Config));
        File.Move(path + ".tmp", path, overwrite: true);
    }

    /// <summary>csrun with this bundle's --root, the config saved first.</summary>
    public CliResult Csrun(params string[] args)
    {
        Save();
        return CsrunCli.Run(new[] { "--root", StateRoot }.Concat(args));
    }

    public CliResult CsrunEnv(IDictionary<string, string> env, params string[] args)
    {
        Save();
        return CsrunCli.Run(new[] { "--root", StateRoot }.Concat(args), env);
    }

    /// <summary>`run` the bundle's process and return what it printed.</summary>
    public CliResult Run(params string[] extra) => Csrun(new[] { "run", "-b", Dir }.Concat(extra).Concat(new[] { NewId() }).ToArray());

    public void Dispose()
    {
        foreach (var id in _ids)
        {
            var state = CsrunCli.Run(new[] { "--root", StateRoot, "state", id });
            int pid = 0;
            if (state.ExitCode == 0) pid = JsonDocument.Parse(state.Stdout).RootElement.GetProperty("pid").GetInt32();
            CsrunCli.Run(new[] { "--root", StateRoot, "delete", "-f", id });
            TestHost.Reap(pid);
        }
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    public static Config DefaultConfig(string[] args) => new()
    {
        OciVersion = "1.2.0",
        Process = new ProcessConfig
        {
            Args = args.ToList(),
            Env = new() { "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm" },
            Cwd = "/",
            Capabilities = new Capabilities
            {
                Bounding = new() { "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE" },
                Effective = new() { "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE" },
                Permitted = new() { "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE" },
            },
            Rlimits = new() { new Rlimit { Type = "RLIMIT_NOFILE", Hard = 1024, Soft = 1024 } },
            NoNewPrivileges = true,
        },
        Root = new Root { Path = "rootfs", Readonly = true },
        Hostname = "csrun",
        Mounts = new()
        {
            new MountEntry { Destination = "/proc", Type = "proc", Source = "proc" },
            new MountEntry { Destination = "/dev", Type = "tmpfs", Source = "tmpfs", Options = new() { "nosuid", "strictatime", "mode=755", "size=65536k" } },
            new MountEntry { Destination = "/dev/pts", Type = "devpts", Source = "devpts", Options = new() { "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5" } },
            new MountEntry { Destination = "/dev/shm", Type = "tmpfs", Source = "shm", Options = new() { "nosuid", "noexec", "nodev", "mode=1777", "size=65536k" } },
            new MountEntry { Destination = "/dev/mqueue", Type = "mqueue", Source = "mqueue", Options = new() { "nosuid", "noexec", "nodev" } },
            new MountEntry { Destination = "/sys", Type = "sysfs", Source = "sysfs", Options = new() { "nosuid", "noexec", "nodev", "ro" } },
            new MountEntry { Destination = "/sys/fs/cgroup", Type = "cgroup", Source = "cgroup", Options = new() { "nosuid", "noexec", "nodev", "relatime", "ro" } },
        },
        Linux = new LinuxConfig
        {
            Namespaces = new() { new() { Type = "pid" }, new() { Type = "network" }, new() { Type = "ipc" }, new() { Type = "uts" }, new() { Type = "mount" }, new() { Type = "cgroup" } },
            MaskedPaths = new() { "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi" },
            ReadonlyPaths = new() { "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger" },
        },
    };
}
