using CsRun.Linux;

namespace CsRun.Spec;

/// <summary>
/// The starter config of `csrun spec`: field for field what `runc spec` writes (runc's
/// specconv.Example and ToRootless), so that scripts written for runc get the same bundle.
/// Only ociVersion differs: like runc, it names the spec version this runtime implements.
/// </summary>
public static class DefaultSpec
{
    public const string SpecVersion = "1.3.0";

    static readonly string[] DefaultCaps = { "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE" };

    /// <summary>The rootless variant maps the caller's effective uid and gid to root.</summary>
    public static Config Create(bool rootless) => Create(rootless, Identity.EffectiveUid, Identity.EffectiveGid);

    public static Config Create(bool rootless, uint hostUid, uint hostGid)
    {
        var c = Example();
        if (rootless) ToRootless(c, hostUid, hostGid);
        return c;
    }

    /// <summary>runc's bytes: tab indentation and no newline at the end (Go's MarshalIndent).</summary>
    public static byte[] ToJson(Config c) => ConfigWriter.Indented(c);

    static Config Example() => new()
    {
        OciVersion = SpecVersion,
        Root = new Root { Path = "rootfs", Readonly = true },
        Process = new ProcessConfig
        {
            Terminal = true,
            User = new User { Uid = 0, Gid = 0 },
            Args = new() { "sh" },
            Env = new() { "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm" },
            Cwd = "/",
            NoNewPrivileges = true,
            Capabilities = new Capabilities
            {
                Bounding = DefaultCaps.ToList(),
                Permitted = DefaultCaps.ToList(),
                Effective = DefaultCaps.ToList(),
                Ambient = DefaultCaps.ToList(),
            },
            Rlimits = new() { new Rlimit { Type = "RLIMIT_NOFILE", Hard = 1024, Soft = 1024 } },
        },
        Hostname = "runc",
        Mounts = new()
        {
            Mount("/proc", "proc", "proc"),
            Mount("/dev", "tmpfs", "tmpfs", "nosuid", "strictatime", "mode=755", "size=65536k"),
            Mount("/dev/pts", "devpts", "devpts", "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"),
            Mount("/dev/shm", "tmpfs", "shm", "nosuid", "noexec", "nodev", "mode=1777", "size=65536k"),
            Mount("/dev/mqueue", "mqueue", "mqueue", "nosuid", "noexec", "nodev"),
            Mount("/sys", "sysfs", "sysfs", "nosuid", "noexec", "nodev", "ro"),
            Mount("/sys/fs/cgroup", "cgroup", "cgroup", "nosuid", "noexec", "nodev", "relatime", "ro"),
        },
        Linux = new LinuxConfig
        {
            MaskedPaths = new()
            {
                "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
                "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi",
            },
            ReadonlyPaths = new() { "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger" },
            Resources = new Resources { Devices = new() { new DeviceRule { Allow = false, Access = "rwm" } } },
            Namespaces = new() { new() { Type = "pid" }, new() { Type = "network" }, new() { Type = "ipc" }, new() { Type = "uts" }, new() { Type = "mount" } },
        },
    };

    /// <summary>runc's ToRootless: an own user namespace mapping the caller to root, no network
    /// namespace (a rootless caller cannot set one up), /sys bound from the host (sysfs cannot
    /// be mounted without owning the network namespace), no uid=/gid= mount options, no cgroup
    /// settings.</summary>
    static void ToRootless(Config c, uint hostUid, uint hostGid)
    {
        var linux = c.Linux!;
        linux.Namespaces = linux.Namespaces!.Where(n => n.Type is not ("network" or "user")).Append(new Namespace { Type = "user" }).ToList();
        linux.UidMappings = new() { new IdMapping { ContainerId = 0, HostId = hostUid, Size = 1 } };
        linux.GidMappings = new() { new IdMapping { ContainerId = 0, HostId = hostGid, Size = 1 } };
        c.Mounts = c.Mounts!.Select(m => m.Destination == "/sys"
            ? Mount("/sys", "none", "/sys", "rbind", "nosuid", "noexec", "nodev", "ro")
            : m with { Options = m.Options?.Where(o => !o.StartsWith("uid=", StringComparison.Ordinal) && !o.StartsWith("gid=", StringComparison.Ordinal)).ToList() })
            .ToList();
        linux.Resources = null;
    }

    static MountEntry Mount(string destination, string type, string source, params string[] options) => new()
    {
        Destination = destination,
        Type = type,
        Source = source,
        Options = options.Length > 0 ? options.ToList() : null,
    };
}
