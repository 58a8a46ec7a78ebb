using CsRun.Errors;
using CsRun.Spec;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Spec;

public class ConfigValidatorTests
{
    static readonly ValidationOptions Pure = new() { CheckHost = false };

    /// <summary>runc's starter config: namespaces pid, network, ipc, uts, mount (indexes 0..4).</summary>
    static Config Base() => DefaultSpec.Create(rootless: false, 0, 0);

    static void Validate(Config c, ValidationOptions? o = null) => ConfigValidator.Validate(c, "/nonexistent-bundle", o ?? Pure);

    static void AddNs(Config c, string type, string? path = null) => c.Linux!.Namespaces!.Add(new Namespace { Type = type, Path = path });

    static void RemoveNs(Config c, string type) => c.Linux!.Namespaces!.RemoveAll(n => n.Type == type);

    static void AddUserNs(Config c)
    {
        AddNs(c, "user");
        c.Linux!.UidMappings = new() { new IdMapping { ContainerId = 0, HostId = 100000, Size = 65536 } };
        c.Linux.GidMappings = new() { new IdMapping { ContainerId = 0, HostId = 100000, Size = 65536 } };
    }

    static SeccompConfig SeccompOf(string action, uint? errnoRet = null, string name = "mkdir") => new()
    {
        DefaultAction = "SCMP_ACT_ALLOW",
        Syscalls = new() { new SeccompSyscall { Names = new() { name }, Action = action, ErrnoRet = errnoRet } },
    };

    const string Rlimits = "RLIMIT_CPU, RLIMIT_FSIZE, RLIMIT_DATA, RLIMIT_STACK, RLIMIT_CORE, RLIMIT_RSS, RLIMIT_NPROC, "
        + "RLIMIT_NOFILE, RLIMIT_MEMLOCK, RLIMIT_AS, RLIMIT_LOCKS, RLIMIT_SIGPENDING, RLIMIT_MSGQUEUE, RLIMIT_NICE, RLIMIT_RTPRIO, RLIMIT_RTTIME";

    public static readonly TheoryData<string, Action<Config>, string> Bad = new()
    {
        // top level
        { "no ociVersion", c => c.OciVersion = "", "ociVersion: must be set" },
        { "ociVersion not semver", c => c.OciVersion = "1.0", "ociVersion: must be a SemVer version such as 1.0.2 (got \"1.0\")" },
        { "ociVersion 2.x", c => c.OciVersion = "2.0.0", "ociVersion: must be a 1.x version: 2.0.0 is newer than this runtime's spec" },
        { "no root", c => c.Root = null, "root: must be set" },
        { "no root path", c => c.Root!.Path = "", "root.path: must be set" },
        { "hostname without uts", c => RemoveNs(c, "uts"), "hostname: requires a uts namespace (linux.namespaces has no \"uts\")" },
        { "personality flags", c => c.Linux!.Personality = new Personality { Domain = "LINUX32", Flags = new() { "WHATEVER" } }, "linux.personality.flags: \"WHATEVER\" is not supported: the runtime-spec defines no personality flags" },
        { "domainname without uts", c => { c.Hostname = null; c.Domainname = "d"; RemoveNs(c, "uts"); }, "domainname: requires a uts namespace (linux.namespaces has no \"uts\")" },
        { "hostname too long", c => c.Hostname = new string('h', 65), "hostname: must be at most 64 bytes" },

        // process
        { "no process", c => c.Process = null, "process: must be set" },
        { "no args", c => c.Process!.Args = null, "process.args: must not be empty" },
        { "empty args", c => c.Process!.Args = new(), "process.args: must not be empty" },
        { "empty argv0", c => c.Process!.Args = new() { "" }, "process.args[0]: must not be empty" },
        { "no cwd", c => c.Process!.Cwd = "", "process.cwd: must be set" },
        { "relative cwd", c => c.Process!.Cwd = "work", "process.cwd: must be absolute (got \"work\")" },
        { "uid -1", c => c.Process!.User.Uid = uint.MaxValue, "process.user.uid: must be in range 0-2147483647 (got 4294967295)" },
        { "uid 2^31", c => c.Process!.User.Uid = 1u << 31, "process.user.uid: must be in range 0-2147483647 (got 2147483648)" },
        { "gid -1", c => c.Process!.User.Gid = uint.MaxValue, "process.user.gid: must be in range 0-2147483647 (got 4294967295)" },
        { "additionalGids -1", c => c.Process!.User.AdditionalGids = new() { 5, uint.MaxValue }, "process.user.additionalGids[1]: must be in range 0-2147483647 (got 4294967295)" },
        { "env without =", c => c.Process!.Env!.Add("JUSTNAME"), "process.env[2]: must be NAME=VALUE (got \"JUSTNAME\")" },
        { "env without name", c => c.Process!.Env!.Insert(0, "=x"), "process.env[0]: must be NAME=VALUE (got \"=x\")" },
        { "unknown rlimit", c => c.Process!.Rlimits![0].Type = "RLIMIT_FOO", $"process.rlimits[0].type: must be one of {Rlimits} (got \"RLIMIT_FOO\")" },
        { "duplicate rlimit", c => c.Process!.Rlimits!.Add(new Rlimit { Type = "RLIMIT_NOFILE", Soft = 1, Hard = 1 }), "process.rlimits[1].type: must not repeat \"RLIMIT_NOFILE\" (also at process.rlimits[0])" },
        { "soft above hard", c => c.Process!.Rlimits![0].Soft = 2048, "process.rlimits[0].soft: must not exceed hard (soft 2048, hard 1024)" },
        { "oomScoreAdj range", c => c.Process!.OomScoreAdj = 1001, "process.oomScoreAdj: must be from -1000 to 1000 (got 1001)" },
        { "scheduler policy", c => c.Process!.Scheduler = new Scheduler { Policy = "SCHED_FAST" }, "process.scheduler.policy: must be one of SCHED_OTHER, SCHED_FIFO, SCHED_RR, SCHED_BATCH, SCHED_ISO, SCHED_IDLE, SCHED_DEADLINE (got \"SCHED_FAST\")" },
        { "scheduler no policy", c => c.Process!.Scheduler = new Scheduler(), "process.scheduler.policy: must be set" },
        { "scheduler nice", c => c.Process!.Scheduler = new Scheduler { Policy = "SCHED_OTHER", Nice = 20 }, "process.scheduler.nice: must be from -20 to 19 for SCHED_OTHER (got 20)" },
        { "scheduler priority", c => c.Process!.Scheduler = new Scheduler { Policy = "SCHED_BATCH", Priority = 5 }, "process.scheduler.priority: can only be set for SCHED_FIFO and SCHED_RR" },
        { "scheduler deadline", c => c.Process!.Scheduler = new Scheduler { Policy = "SCHED_RR", Runtime = 10 }, "process.scheduler: runtime, deadline and period can only be set for SCHED_DEADLINE" },
        { "scheduler flag", c => c.Process!.Scheduler = new Scheduler { Policy = "SCHED_RR", Flags = new() { "SCHED_FLAG_X" } }, "process.scheduler.flags[0]: must be one of SCHED_FLAG_RESET_ON_FORK, SCHED_FLAG_RECLAIM, SCHED_FLAG_DL_OVERRUN, SCHED_FLAG_KEEP_POLICY, SCHED_FLAG_KEEP_PARAMS, SCHED_FLAG_UTIL_CLAMP_MIN, SCHED_FLAG_UTIL_CLAMP_MAX (got \"SCHED_FLAG_X\")" },
        { "ioPriority class", c => c.Process!.IoPriority = new IoPriority { Class = "IOPRIO_CLASS_NONE" }, "process.ioPriority.class: must be one of IOPRIO_CLASS_RT, IOPRIO_CLASS_BE, IOPRIO_CLASS_IDLE (got \"IOPRIO_CLASS_NONE\")" },
        { "ioPriority priority", c => c.Process!.IoPriority = new IoPriority { Class = "IOPRIO_CLASS_BE", Priority = 8 }, "process.ioPriority.priority: must be from 0 to 7 (got 8)" },
        { "cpu affinity", c => c.Process!.ExecCpuAffinity = new CpuAffinity { Initial = "3-1" }, "process.execCPUAffinity.initial: must be a list of numbers and ranges such as 0-3,7 (got \"3-1\")" },

        // mounts and hooks
        { "empty mount destination", c => c.Mounts![3].Destination = "", "mounts[3].destination: must be set" },
        { "NUL in mount source", c => c.Mounts![0].Source = "pr\0c", "mounts[0].source: must not contain a NUL byte" },
        { "idmap not bind", c => c.Mounts!.Add(new MountEntry { Destination = "/data", Type = "tmpfs", Source = "tmpfs", Options = new() { "idmap" } }), "mounts[7]: an id-mapped mount must be a bind mount" },
        { "idmap without maps or userns", c => c.Mounts!.Add(new MountEntry { Destination = "/data", Source = "/srv", Options = new() { "bind", "idmap" } }), "mounts[7].options: idmap needs uidMappings and gidMappings or a user namespace" },
        { "mount maps on a tmpfs", c => c.Mounts!.Add(new MountEntry { Destination = "/data", Type = "tmpfs", Source = "tmpfs", UidMappings = new() { new IdMapping { Size = 1 } }, GidMappings = new() { new IdMapping { Size = 1 } } }), "mounts[7]: an id-mapped mount must be a bind mount" },
        { "mount maps overlapping", c => c.Mounts!.Add(new MountEntry { Destination = "/data", Source = "/srv", Options = new() { "bind", "idmap" }, UidMappings = new() { new IdMapping { Size = 10 }, new IdMapping { ContainerId = 5, HostId = 100, Size = 1 } }, GidMappings = new() { new IdMapping { Size = 1 } } }), "mounts[7].uidMappings[1]: container ids overlap mounts[7].uidMappings[0]" },
        { "mount map too long for one write", c => c.Mounts!.Add(new MountEntry { Destination = "/data", Source = "/srv", Options = new() { "bind", "idmap" }, UidMappings = new() { new IdMapping { Size = 1 } }, GidMappings = Enumerable.Range(0, 200).Select(i => new IdMapping { ContainerId = (uint)(1000000000 + i), HostId = (uint)(1000000000 + i), Size = 1 }).ToList() }), "mounts[7].gidMappings: takes 4800 bytes as a uid_map/gid_map text; the kernel takes less than 4096" },
        { "mount with an empty uid map", c => c.Mounts!.Add(new MountEntry { Destination = "/data", Source = "/srv", Options = new() { "bind" }, UidMappings = new(), GidMappings = new() { new IdMapping { Size = 1 } } }), "mounts[7].uidMappings: must be set along with gidMappings" },
        { "mount uid map alone", c => c.Mounts!.Add(new MountEntry { Destination = "/data", Source = "/srv", Options = new() { "bind" }, UidMappings = new() { new IdMapping { Size = 1 } } }), "mounts[7].gidMappings: must be set along with uidMappings" },
        { "relative hook", c => c.Hooks = new HooksConfig { Poststop = new() { new Hook { Path = "cleanup.sh" } } }, "hooks.poststop[0].path: must be absolute (got \"cleanup.sh\")" },
        { "hook without path", c => c.Hooks = new HooksConfig { CreateRuntime = new() { new Hook() } }, "hooks.createRuntime[0].path: must be set" },
        { "hook timeout", c => c.Hooks = new HooksConfig { Prestart = new() { new Hook { Path = "/bin/true", Timeout = 0 } } }, "hooks.prestart[0].timeout: must be greater than 0 (got 0)" },
        { "hook env", c => c.Hooks = new HooksConfig { Poststart = new() { new Hook { Path = "/bin/true", Env = new() { "X" } } } }, "hooks.poststart[0].env[0]: must be NAME=VALUE (got \"X\")" },

        // namespaces and what needs them
        { "unknown namespace", c => AddNs(c, "foo"), "linux.namespaces[5].type: must be one of pid, network, mount, ipc, uts, user, cgroup, time (got \"foo\")" },
        { "duplicate namespace", c => AddNs(c, "pid", "/proc/1/ns/pid"), "linux.namespaces[5].type: must not repeat \"pid\" (also at linux.namespaces[0])" },
        { "relative namespace path", c => c.Linux!.Namespaces![1].Path = "netns/a", "linux.namespaces[1].path: must be absolute (got \"netns/a\")" },
        { "uid maps without userns", c => c.Linux!.UidMappings = new() { new IdMapping { Size = 1 } }, "linux.uidMappings: requires a user namespace (linux.namespaces has no \"user\")" },
        { "gid maps without userns", c => c.Linux!.GidMappings = new() { new IdMapping { Size = 1 } }, "linux.gidMappings: requires a user namespace (linux.namespaces has no \"user\")" },
        { "userns without maps", c => AddNs(c, "user"), "linux.namespaces[5]: a new user namespace needs linux.uidMappings or linux.gidMappings" },
        { "empty mapping", c => { AddUserNs(c); c.Linux!.UidMappings![0].Size = 0; }, "linux.uidMappings[0].size: must be greater than 0" },
        { "mapping past 2^32", c => { AddUserNs(c); c.Linux!.GidMappings![0].HostId = uint.MaxValue; }, "linux.gidMappings[0]: hostID + size must not exceed 4294967296" },
        { "overlapping mappings", c => { AddUserNs(c); c.Linux!.UidMappings!.Add(new IdMapping { ContainerId = 100, HostId = 1, Size = 1 }); }, "linux.uidMappings[1]: container ids overlap linux.uidMappings[0]" },
        { "time offsets without timens", c => c.Linux!.TimeOffsets = new() { ["monotonic"] = new TimeOffset { Secs = 1 } }, "linux.timeOffsets: requires a time namespace (linux.namespaces has no \"time\")" },
        { "time offsets on joined timens", c => { AddNs(c, "time", "/proc/1/ns/time"); c.Linux!.TimeOffsets = new() { ["boottime"] = new TimeOffset() }; }, "linux.timeOffsets: must not be set when joining a time namespace (linux.namespaces[5].path)" },
        { "time offset clock", c => { AddNs(c, "time"); c.Linux!.TimeOffsets = new() { ["realtime"] = new TimeOffset() }; }, "linux.timeOffsets.realtime: must be one of monotonic, boottime (got \"realtime\")" },
        { "time offset nanosecs", c => { AddNs(c, "time"); c.Linux!.TimeOffsets = new() { ["monotonic"] = new TimeOffset { Nanosecs = 1_000_000_000 } }; }, "linux.timeOffsets.monotonic.nanosecs: must be less than 1000000000" },
        { "masked paths without mountns", c => RemoveNs(c, "mount"), "linux.maskedPaths: requires a mount namespace (linux.namespaces has no \"mount\")" },
        { "net devices without netns", c => { RemoveNs(c, "network"); c.Linux!.NetDevices = new() { ["eth0"] = new NetDevice() }; }, "linux.netDevices: requires a network namespace (linux.namespaces has no \"network\")" },

        // sysctl
        { "net sysctl without netns", c => { RemoveNs(c, "network"); c.Linux!.Sysctl = new() { ["net.ipv4.ip_forward"] = "1" }; }, "linux.sysctl['net.ipv4.ip_forward']: requires a network namespace (linux.namespaces has no \"network\")" },
        { "slash sysctl without netns", c => { RemoveNs(c, "network"); c.Linux!.Sysctl = new() { ["net/ipv4/conf/eth0.100/rp_filter"] = "1" }; }, "linux.sysctl['net/ipv4/conf/eth0.100/rp_filter']: requires a network namespace (linux.namespaces has no \"network\")" },
        { "ipc sysctl without ipcns", c => { RemoveNs(c, "ipc"); c.Linux!.Sysctl = new() { ["kernel.shmmax"] = "1" }; }, "linux.sysctl['kernel.shmmax']: requires an ipc namespace (linux.namespaces has no \"ipc\")" },
        { "mqueue sysctl without ipcns", c => { RemoveNs(c, "ipc"); c.Linux!.Sysctl = new() { ["fs.mqueue.msg_max"] = "1" }; }, "linux.sysctl['fs.mqueue.msg_max']: requires an ipc namespace (linux.namespaces has no \"ipc\")" },
        { "kernel.hostname sysctl", c => c.Linux!.Sysctl = new() { ["kernel.hostname"] = "x" }, "linux.sysctl['kernel.hostname']: conflicts with the hostname field: set that instead" },
        { "kernel.domainname without uts", c => { c.Hostname = null; RemoveNs(c, "uts"); c.Linux!.Sysctl = new() { ["kernel.domainname"] = "x" }; }, "linux.sysctl['kernel.domainname']: is not in a separate kernel namespace, so a container must not set it" },
        { "user sysctl without userns", c => c.Linux!.Sysctl = new() { ["user.max_user_namespaces"] = "0" }, "linux.sysctl['user.max_user_namespaces']: requires a user namespace (linux.namespaces has no \"user\")" },
        { "host-wide sysctl", c => c.Linux!.Sysctl = new() { ["vm.swappiness"] = "0" }, "linux.sysctl['vm.swappiness']: is not in a separate kernel namespace, so a container must not set it" },

        // the rest of linux
        { "device type", c => c.Linux!.Devices = new() { new Device { Type = "x", Path = "/dev/x" } }, "linux.devices[0].type: must be one of c, b, u, p (got \"x\")" },
        { "device path", c => c.Linux!.Devices = new() { new Device { Type = "c", Path = "dev/fuse", Major = 10, Minor = 229 } }, "linux.devices[0].path: must be absolute (got \"dev/fuse\")" },
        { "device mode", c => c.Linux!.Devices = new() { new Device { Type = "c", Path = "/dev/fuse", FileMode = 0x10000 } }, "linux.devices[0].fileMode: must be a permission mode such as 438 (0666) (got 65536)" },
        { "rootfs propagation", c => c.Linux!.RootfsPropagation = "rshared-ish", "linux.rootfsPropagation: must be one of private, rprivate, slave, rslave, shared, rshared, unbindable, runbindable (got \"rshared-ish\")" },
        { "personality", c => c.Linux!.Personality = new Personality { Domain = "LINUX64" }, "linux.personality.domain: must be one of LINUX, LINUX32 (got \"LINUX64\")" },
        { "masked path relative", c => c.Linux!.MaskedPaths!.Add("proc/kcore"), "linux.maskedPaths[10]: must be absolute (got \"proc/kcore\")" },
        { "readonly path relative", c => c.Linux!.ReadonlyPaths![1] = "proc/fs", "linux.readonlyPaths[1]: must be absolute (got \"proc/fs\")" },
        { "net device name", c => c.Linux!.NetDevices = new() { ["eth0"] = new NetDevice { Name = "a/b" } }, "linux.netDevices.eth0.name: must be a network interface name: 1 to 16 characters, not . or .., without '/', ':' or ' ' (got \"a/b\")" },
        { "net device template on the host", c => c.Linux!.NetDevices = new() { ["eth%d"] = new NetDevice() }, "linux.netDevices['eth%d']: must name an existing interface, not a template (got \"eth%d\")" },
        { "net device bad template", c => c.Linux!.NetDevices = new() { ["eth0"] = new NetDevice { Name = "c%s" } }, "linux.netDevices.eth0.name: a template must have one %d and no other '%' (got \"c%s\")" },
        { "net device two templates", c => c.Linux!.NetDevices = new() { ["eth0"] = new NetDevice { Name = "c%d%d" } }, "linux.netDevices.eth0.name: a template must have one %d and no other '%' (got \"c%d%d\")" },
        { "net devices with one name", c => c.Linux!.NetDevices = new() { ["eth0"] = new NetDevice { Name = "eth1" }, ["eth1"] = new NetDevice() }, "linux.netDevices.eth1: moves a second interface in as \"eth1\" (as linux.netDevices.eth0 does)" },
        { "intel rdt closID", c => c.Linux!.IntelRdt = new IntelRdt { ClosId = "a/b" }, "linux.intelRdt.closID: must be a directory name or \"/\" (got \"a/b\")" },
        { "intel rdt memBw", c => c.Linux!.IntelRdt = new IntelRdt { MemBwSchema = "L3:0=ff" }, "linux.intelRdt.memBwSchema: must start with MB: and not contain newlines" },
        { "memory policy mode", c => c.Linux!.MemoryPolicy = new MemoryPolicy { Mode = "MPOL_ANY" }, "linux.memoryPolicy.mode: must be one of MPOL_DEFAULT, MPOL_PREFERRED, MPOL_BIND, MPOL_INTERLEAVE, MPOL_LOCAL, MPOL_PREFERRED_MANY, MPOL_WEIGHTED_INTERLEAVE (got \"MPOL_ANY\")" },
        { "memory policy nodes", c => c.Linux!.MemoryPolicy = new MemoryPolicy { Mode = "MPOL_BIND" }, "linux.memoryPolicy.nodes: must name at least one node for MPOL_BIND" },
        { "memory policy flag", c => c.Linux!.MemoryPolicy = new MemoryPolicy { Mode = "MPOL_LOCAL", Flags = new() { "MPOL_F_X" } }, "linux.memoryPolicy.flags[0]: must be one of MPOL_F_STATIC_NODES, MPOL_F_RELATIVE_NODES, MPOL_F_NUMA_BALANCING (got \"MPOL_F_X\")" },
        { "systemd cgroupsPath", c => c.Linux!.CgroupsPath = "/a/b", "linux.cgroupsPath: must be slice:prefix:name with --systemd-cgroup (got \"/a/b\")" },
        { "systemd slice", c => c.Linux!.CgroupsPath = "system:docker:1", "linux.cgroupsPath: must name a slice ending in .slice before the first ':' (got \"system\")" },

        // resources
        { "device rule access", c => c.Linux!.Resources!.Devices![0].Access = "RW", "linux.resources.devices[0].access: must hold at least one of r, w, m (got \"RW\")" },
        { "device rule no access", c => c.Linux!.Resources!.Devices![0].Access = null, "linux.resources.devices[0].access: must hold at least one of r, w, m (got \"\")" },
        { "device rule type", c => c.Linux!.Resources!.Devices![0].Type = "p", "linux.resources.devices[0].type: must be one of a, b, c (got \"p\")" },
        { "hugepage size", c => c.Linux!.Resources!.HugepageLimits = new() { new HugepageLimit { PageSize = "64kB", Limit = 1 } }, "linux.resources.hugepageLimits[0].pageSize: must be a size such as 2MB or 1GB (got \"64kB\")" },
        { "swappiness", c => c.Linux!.Resources!.Memory = new MemoryResources { Swappiness = 101 }, "linux.resources.memory.swappiness: must be from 0 to 100 (got 101)" },
        { "cpuset", c => c.Linux!.Resources!.Cpu = new CpuResources { Cpus = "0-" }, "linux.resources.cpu.cpus: must be a list of numbers and ranges such as 0-3,7 (got \"0-\")" },
        { "weight device", c => c.Linux!.Resources!.BlockIo = new BlockIo { WeightDevice = new() { new WeightDevice { Major = 8 } } }, "linux.resources.blockIO.weightDevice[0]: must set weight or leafWeight" },
        { "rdma", c => c.Linux!.Resources!.Rdma = new() { ["mlx5_1"] = new RdmaLimit() }, "linux.resources.rdma.mlx5_1: must set hcaHandles or hcaObjects" },

        // seccomp
        { "seccomp default action", c => c.Linux!.Seccomp = new SeccompConfig { DefaultAction = "SCMP_ACT_MAYBE" }, "linux.seccomp.defaultAction: must be one of SCMP_ACT_KILL, SCMP_ACT_KILL_PROCESS, SCMP_ACT_KILL_THREAD, SCMP_ACT_TRAP, SCMP_ACT_ERRNO, SCMP_ACT_TRACE, SCMP_ACT_ALLOW, SCMP_ACT_LOG, SCMP_ACT_NOTIFY (got \"SCMP_ACT_MAYBE\")" },
        { "seccomp default notify", c => c.Linux!.Seccomp = new SeccompConfig { DefaultAction = "SCMP_ACT_NOTIFY" }, "linux.seccomp.defaultAction: must not be SCMP_ACT_NOTIFY" },
        { "seccomp default errno", c => c.Linux!.Seccomp = new SeccompConfig { DefaultAction = "SCMP_ACT_ALLOW", DefaultErrnoRet = 1 }, "linux.seccomp.defaultErrnoRet: can only be set with SCMP_ACT_ERRNO or SCMP_ACT_TRACE (defaultAction is SCMP_ACT_ALLOW)" },
        { "seccomp arch", c => c.Linux!.Seccomp = new SeccompConfig { DefaultAction = "SCMP_ACT_ALLOW", Architectures = new() { "SCMP_ARCH_X86_64", "SCMP_ARCH_Z80" } }, "linux.seccomp.architectures[1]: must be one of SCMP_ARCH_X86, SCMP_ARCH_X86_64, SCMP_ARCH_X32, SCMP_ARCH_ARM, SCMP_ARCH_AARCH64, SCMP_ARCH_MIPS, SCMP_ARCH_MIPS64, SCMP_ARCH_MIPS64N32, SCMP_ARCH_MIPSEL, SCMP_ARCH_MIPSEL64, SCMP_ARCH_MIPSEL64N32, SCMP_ARCH_PPC, SCMP_ARCH_PPC64, SCMP_ARCH_PPC64LE, SCMP_ARCH_S390, SCMP_ARCH_S390X, SCMP_ARCH_PARISC, SCMP_ARCH_PARISC64, SCMP_ARCH_RISCV64, SCMP_ARCH_LOONGARCH64, SCMP_ARCH_M68K, SCMP_ARCH_SH, SCMP_ARCH_SHEB (got \"SCMP_ARCH_Z80\")" },
        { "seccomp flag", c => c.Linux!.Seccomp = new SeccompConfig { DefaultAction = "SCMP_ACT_ALLOW", Flags = new() { "SECCOMP_FILTER_FLAG_X" } }, "linux.seccomp.flags[0]: must be one of SECCOMP_FILTER_FLAG_TSYNC, SECCOMP_FILTER_FLAG_LOG, SECCOMP_FILTER_FLAG_SPEC_ALLOW, SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (got \"SECCOMP_FILTER_FLAG_X\")" },
        { "seccomp metadata", c => c.Linux!.Seccomp = new SeccompConfig { DefaultAction = "SCMP_ACT_ALLOW", ListenerMetadata = "m" }, "linux.seccomp.listenerMetadata: must not be set without listenerPath" },
        { "seccomp action", c => c.Linux!.Seccomp = SeccompOf("SCMP_ACT_NOPE"), "linux.seccomp.syscalls[0].action: must be one of SCMP_ACT_KILL, SCMP_ACT_KILL_PROCESS, SCMP_ACT_KILL_THREAD, SCMP_ACT_TRAP, SCMP_ACT_ERRNO, SCMP_ACT_TRACE, SCMP_ACT_ALLOW, SCMP_ACT_LOG, SCMP_ACT_NOTIFY (got \"SCMP_ACT_NOPE\")" },
        { "seccomp errnoRet", c => c.Linux!.Seccomp = SeccompOf("SCMP_ACT_KILL", errnoRet: 1), "linux.seccomp.syscalls[0].errnoRet: can only be set with SCMP_ACT_ERRNO or SCMP_ACT_TRACE (action is SCMP_ACT_KILL)" },
        { "seccomp notify without listener", c => c.Linux!.Seccomp = SeccompOf("SCMP_ACT_NOTIFY"), "linux.seccomp.syscalls[0].action: SCMP_ACT_NOTIFY needs linux.seccomp.listenerPath" },
        { "seccomp notify write", c => { c.Linux!.Seccomp = SeccompOf("SCMP_ACT_NOTIFY", name: "write"); c.Linux.Seccomp.ListenerPath = "/run/agent.sock"; }, "linux.seccomp.syscalls[0].names: SCMP_ACT_NOTIFY cannot be used for write" },
        { "seccomp no names", c => { c.Linux!.Seccomp = SeccompOf("SCMP_ACT_ERRNO"); c.Linux.Seccomp.Syscalls![0].Names.Clear(); }, "linux.seccomp.syscalls[0].names: must not be empty" },
        { "seccomp arg index", c => { c.Linux!.Seccomp = SeccompOf("SCMP_ACT_ERRNO"); c.Linux.Seccomp.Syscalls![0].Args = new() { new SeccompArg { Index = 6, Op = "SCMP_CMP_EQ" } }; }, "linux.seccomp.syscalls[0].args[0].index: must be from 0 to 5 (got 6)" },
        { "seccomp arg op", c => { c.Linux!.Seccomp = SeccompOf("SCMP_ACT_ERRNO"); c.Linux.Seccomp.Syscalls![0].Args = new() { new SeccompArg { Index = 0, Op = "SCMP_CMP_IN" } }; }, "linux.seccomp.syscalls[0].args[0].op: must be one of SCMP_CMP_NE, SCMP_CMP_LT, SCMP_CMP_LE, SCMP_CMP_EQ, SCMP_CMP_GE, SCMP_CMP_GT, SCMP_CMP_MASKED_EQ (got \"SCMP_CMP_IN\")" },
    };

    [Theory]
    [MemberData(nameof(Bad))]
    public void Bad_configs_get_exact_messages(string name, Action<Config> breakIt, string message)
    {
        var c = Base();
        breakIt(c);
        var options = name.StartsWith("systemd") ? Pure with { SystemdCgroup = true } : Pure;
        var act = () => Validate(c, options);
        act.Should().Throw<RuntimeError>(name).Which.Message.Should().Be(message);
    }

    public static readonly TheoryData<string, Action<Config>> Good = new()
    {
        { "runc's starter config", c => { } },
        { "the largest ids runc accepts", c => c.Process!.User = new User { Uid = int.MaxValue, Gid = int.MaxValue, AdditionalGids = new() { int.MaxValue } } },
        { "unknown capabilities only warn", c => c.Process!.Capabilities!.Bounding!.Add("CAP_FROM_THE_FUTURE") },
        { "kernel.domainname with uts", c => c.Linux!.Sysctl = new() { ["kernel.domainname"] = "example.org" } },
        { "namespaced sysctls", c => c.Linux!.Sysctl = new() { ["net.ipv4.ip_forward"] = "1", ["kernel.shmmax"] = "1", ["fs.mqueue.msg_max"] = "10" } },
        { "joined user namespace without maps", c => AddNs(c, "user", "/proc/1/ns/user") },
        { "user namespace with maps", AddUserNs },
        { "relative rootfs", c => c.Root!.Path = "../rootfs" },
        { "ridmap borrowing the user namespace's maps", c => { AddUserNs(c); c.Mounts!.Add(new MountEntry { Destination = "/data", Source = "/srv", Options = new() { "rbind", "ridmap" } }); } },
        { "idmap borrowing a joined user namespace", c => { AddNs(c, "user", "/proc/1/ns/user"); c.Mounts!.Add(new MountEntry { Destination = "/data", Source = "/srv", Options = new() { "bind", "idmap" } }); } },
        { "mount maps alone (runc 1.2: idmap)", c => c.Mounts!.Add(new MountEntry { Destination = "/data", Source = "/srv", Options = new() { "bind" }, UidMappings = new() { new IdMapping { Size = 1 } }, GidMappings = new() { new IdMapping { Size = 1 } } }) },
        { "bind mount with filesystem data (runc passes it on; the kernel ignores it)", c => c.Mounts!.Add(new MountEntry { Destination = "/data", Source = "/srv", Options = new() { "rbind", "mode=700" } }) },
        { "empty seccomp means none", c => c.Linux!.Seccomp = new SeccompConfig() },
        { "personality without flags", c => c.Linux!.Personality = new Personality { Domain = "LINUX32", Flags = new() } },
        { "net devices renamed, swapped and by template", c => c.Linux!.NetDevices = new() { ["eth0"] = new NetDevice { Name = "eth1" }, ["eth1"] = new NetDevice { Name = "eth0" }, ["eth2"] = new NetDevice { Name = "c%d" }, ["eth3"] = new NetDevice { Name = "c%d" } } },
        { "plain cgroupsPath", c => c.Linux!.CgroupsPath = "/default/abc" },
        { "pre-release ociVersion", c => c.OciVersion = "1.0.2-dev+build.5" },
        { "0.x ociVersion", c => c.OciVersion = "0.5.0-dev" },
    };

    [Theory]
    [MemberData(nameof(Good))]
    public void Good_configs_pass(string name, Action<Config> change)
    {
        var c = Base();
        change(c);
        var act = () => Validate(c);
        act.Should().NotThrow(name);
    }

    [Fact]
    public void Systemd_cgroupsPath_in_three_parts_passes()
    {
        var c = Base();
        c.Linux!.CgroupsPath = "machine.slice:libpod:abc";
        var act = () => Validate(c, Pure with { SystemdCgroup = true });
        act.Should().NotThrow();
    }

    [Fact]
    public void Rootless_rules_apply_only_when_rootless()
    {
        var act = () => Validate(Base(), Pure with { Rootless = true });
        act.Should().Throw<RuntimeError>().WithMessage("linux.namespaces: a rootless container requires a user namespace (linux.namespaces has no \"user\")");

        var rootless = DefaultSpec.Create(rootless: true, 1000, 1000);
        act = () => Validate(rootless, Pure with { Rootless = true });
        act.Should().NotThrow();

        int last = rootless.Mounts!.Count;
        rootless.Mounts.Add(new MountEntry { Destination = "/data", Source = "/srv", Options = new() { "rbind", "idmap" } });
        act = () => Validate(rootless, Pure with { Rootless = true });
        act.Should().Throw<RuntimeError>().WithMessage($"mounts[{last}]: id-mapped mounts are not supported for rootless containers");
        rootless.Mounts.RemoveAt(last);

        rootless.Mounts![2].Options!.Add("gid=5");
        act = () => Validate(rootless, Pure with { Rootless = true });
        act.Should().Throw<RuntimeError>().WithMessage("mounts[2].options: gid=5 is not mapped by linux.gidMappings");
    }

    [Fact]
    public void Host_rules_find_a_missing_rootfs()
    {
        string bundle = Directory.CreateTempSubdirectory().FullName;
        try
        {
            var act = () => ConfigValidator.Validate(Base(), bundle);
            act.Should().Throw<RuntimeError>().WithMessage($"root.path: stat {bundle}/rootfs: no such file or directory");

            File.WriteAllText(Path.Combine(bundle, "rootfs"), "");
            act.Should().Throw<RuntimeError>().WithMessage($"root.path: {bundle}/rootfs is not a directory");

            File.Delete(Path.Combine(bundle, "rootfs"));
            Directory.CreateDirectory(Path.Combine(bundle, "rootfs"));
            act.Should().NotThrow();
        }
        finally { Directory.Delete(bundle, true); }
    }

    /// <summary>config-linux.md: without a mounted resctrl the runtime MUST error (runc 1.1.5
    /// accepted closID alone here and ignored it).</summary>
    [Fact]
    public void Host_rules_refuse_intelRdt() => InBundleWithRootfs(bundle =>
    {
        var c = Base();
        c.Linux!.IntelRdt = new IntelRdt { ClosId = "g" };
        var act = () => ConfigValidator.Validate(c, bundle);
        bool mounted = File.ReadAllText("/proc/self/mountinfo").Contains(" - resctrl ");
        act.Should().Throw<RuntimeError>().WithMessage(mounted
            ? "linux.intelRdt: not supported by csrun: it does not manage resctrl groups"
            : "linux.intelRdt: resctrl is not mounted (Intel RDT is not enabled on this host)");
        c.Linux.IntelRdt = null;
        act.Should().NotThrow();
    });

    [Fact]
    public void Host_rules_refuse_net_sysctls_in_the_hosts_network_namespace() => InBundleWithRootfs(bundle =>
    {
        var c = Base();
        c.Linux!.Namespaces![1].Path = "/proc/self/ns/net";
        c.Linux.Sysctl = new() { ["net.core.somaxconn"] = "256" };
        var act = () => ConfigValidator.Validate(c, bundle);
        act.Should().Throw<RuntimeError>().WithMessage("linux.sysctl['net.core.somaxconn']: must not be set in the host's network namespace (/proc/self/ns/net)");

        c.Linux.Namespaces[1].Path = "/nonexistent/netns";
        act.Should().Throw<RuntimeError>().WithMessage("linux.namespaces[1].path: stat /nonexistent/netns: no such file or directory");
    });

    static void InBundleWithRootfs(Action<string> test)
    {
        string bundle = Directory.CreateTempSubdirectory().FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(bundle, "rootfs"));
            test(bundle);
        }
        finally { Directory.Delete(bundle, true); }
    }
}
