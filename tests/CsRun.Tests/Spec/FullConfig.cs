using CsRun.Spec;

namespace CsRun.Tests.Spec;

/// <summary>A config with every property of the model set, to extreme values and awkward
/// strings (quotes, backslashes, control characters, non-ASCII, characters HTML-escaping
/// encoders touch), and a map whose enumeration order is not its insertion order.</summary>
internal static class FullConfig
{
    public const string Awkward = "q\"b\\s/c\u0001\u001f\t\n\r\b\f é中😀 <x> & a+b 'x' `y` \u007f\u2028";

    public static Config Create() => new()
    {
        OciVersion = "1.2.0" + Awkward,
        Process = new ProcessConfig
        {
            Terminal = true,
            ConsoleSize = new Box { Height = uint.MaxValue, Width = 0 },
            User = new User { Uid = uint.MaxValue, Gid = 1, Umask = 18, AdditionalGids = new() { 0, 5, uint.MaxValue }, Username = Awkward },
            Args = new() { "sh", "-c", Awkward, "" },
            CommandLine = Awkward,
            Env = new() { "PATH=/bin", "X=" + Awkward },
            Cwd = "/" + Awkward,
            Capabilities = new Capabilities
            {
                Bounding = new() { "CAP_KILL" },
                Effective = new() { "CAP_CHOWN", "CAP_KILL" },
                Inheritable = new(),
                Permitted = new() { "CAP_KILL" },
                Ambient = new() { Awkward },
            },
            Rlimits = new() { new Rlimit { Type = "RLIMIT_NOFILE", Hard = ulong.MaxValue, Soft = 0 } },
            NoNewPrivileges = true,
            ApparmorProfile = Awkward,
            OomScoreAdj = int.MinValue,
            Scheduler = new Scheduler
            {
                Policy = "SCHED_DEADLINE", Nice = -20, Priority = int.MaxValue, Flags = new() { "SCHED_FLAG_RESET_ON_FORK" },
                Runtime = ulong.MaxValue, Deadline = 1, Period = 0,
            },
            SelinuxLabel = Awkward,
            IoPriority = new IoPriority { Class = "IOPRIO_CLASS_RT", Priority = -1 },
            ExecCpuAffinity = new CpuAffinity { Initial = "0-3", Final = Awkward },
        },
        Root = new Root { Path = Awkward, Readonly = false },
        Hostname = Awkward,
        Domainname = "",
        Mounts = new()
        {
            new MountEntry
            {
                Destination = Awkward, Type = "bind", Source = "/src", Options = new() { "rbind", "ro" },
                UidMappings = new() { new IdMapping { ContainerId = 0, HostId = uint.MaxValue, Size = 1 } },
                GidMappings = new() { new IdMapping { ContainerId = 1, HostId = 2, Size = 3 } },
            },
            new MountEntry { Destination = "/proc" },
        },
        Hooks = new HooksConfig
        {
            Prestart = new() { Hook(1) },
            CreateRuntime = new() { Hook(2), new Hook { Path = "/bin/true" } },
            CreateContainer = new() { Hook(3) },
            StartContainer = new() { Hook(4) },
            Poststart = new(),
            Poststop = new() { Hook(int.MinValue) },
        },
        Annotations = Unordered(),
        Linux = new LinuxConfig
        {
            UidMappings = new() { new IdMapping { ContainerId = 0, HostId = 1000, Size = 65536 } },
            GidMappings = new() { new IdMapping { ContainerId = 0, HostId = 1000, Size = 65536 } },
            Sysctl = new() { ["net.ipv4.ip_forward"] = "1", [Awkward] = Awkward },
            Resources = FullResources(),
            CgroupsPath = Awkward,
            Namespaces = new() { new Namespace { Type = "pid" }, new Namespace { Type = "net", Path = Awkward } },
            Devices = new()
            {
                new Device { Path = "/dev/fuse", Type = "c", Major = long.MaxValue, Minor = long.MinValue, FileMode = 438, Uid = 0, Gid = uint.MaxValue },
                new Device { Path = "/dev/x", Type = "b" },
            },
            NetDevices = new() { ["eth0"] = new NetDevice { Name = Awkward }, [Awkward] = new NetDevice() },
            Seccomp = new SeccompConfig
            {
                DefaultAction = "SCMP_ACT_ERRNO", DefaultErrnoRet = uint.MaxValue,
                Architectures = new() { "SCMP_ARCH_X86_64" }, Flags = new() { "SECCOMP_FILTER_FLAG_LOG" },
                ListenerPath = Awkward, ListenerMetadata = Awkward,
                Syscalls = new()
                {
                    new SeccompSyscall
                    {
                        Names = new() { "read", Awkward }, Action = "SCMP_ACT_ALLOW", ErrnoRet = 1,
                        Args = new() { new SeccompArg { Index = 5, Value = ulong.MaxValue, ValueTwo = 0, Op = "SCMP_CMP_MASKED_EQ" } },
                    },
                    new SeccompSyscall { Names = new(), Action = "SCMP_ACT_KILL" },
                },
            },
            RootfsPropagation = "rslave",
            MaskedPaths = new() { "/proc/kcore", Awkward },
            ReadonlyPaths = new(),
            MountLabel = Awkward,
            IntelRdt = new IntelRdt { ClosId = Awkward, L3CacheSchema = "L3:0=ff", MemBwSchema = "MB:0=70", EnableCmt = true, EnableMbm = false },
            MemoryPolicy = new MemoryPolicy { Mode = "MPOL_BIND", Nodes = "0-1", Flags = new() { "MPOL_F_STATIC_NODES" } },
            Personality = new Personality { Domain = "LINUX32", Flags = new() { Awkward } },
            TimeOffsets = new() { ["monotonic"] = new TimeOffset { Secs = long.MinValue, Nanosecs = uint.MaxValue }, ["boottime"] = new TimeOffset() },
        },
    };

    public static Resources FullResources() => new()
    {
        Devices = new()
        {
            new DeviceRule { Allow = false, Access = "rwm" },
            new DeviceRule { Allow = true, Type = "c", Major = long.MinValue, Minor = long.MaxValue, Access = Awkward },
        },
        Memory = new MemoryResources
        {
            Limit = long.MaxValue, Reservation = -1, Swap = 0, Kernel = 1, KernelTcp = 2, Swappiness = ulong.MaxValue,
            DisableOomKiller = true, UseHierarchy = false, CheckBeforeUpdate = true,
        },
        Cpu = new CpuResources
        {
            Shares = ulong.MaxValue, Quota = long.MinValue, Burst = 1, Period = 100000, RealtimeRuntime = -1, RealtimePeriod = 2,
            Cpus = "0-3", Mems = Awkward, Idle = 1,
        },
        Pids = new PidsResources { Limit = -1 },
        BlockIo = new BlockIo
        {
            Weight = ushort.MaxValue, LeafWeight = 0,
            WeightDevice = new() { new WeightDevice { Major = 8, Minor = 0, Weight = 10, LeafWeight = 20 }, new WeightDevice { Major = -1, Minor = long.MaxValue } },
            ThrottleReadBpsDevice = new() { new ThrottleDevice { Major = 8, Minor = 1, Rate = ulong.MaxValue } },
            ThrottleWriteBpsDevice = new() { new ThrottleDevice { Major = 8, Minor = 2, Rate = 0 } },
            ThrottleReadIopsDevice = new() { new ThrottleDevice { Major = 8, Minor = 3, Rate = 3 } },
            ThrottleWriteIopsDevice = new(),
        },
        HugepageLimits = new() { new HugepageLimit { PageSize = "2MB", Limit = ulong.MaxValue }, new HugepageLimit { PageSize = Awkward } },
        Network = new NetworkResources
        {
            ClassId = uint.MaxValue,
            Priorities = new() { new InterfacePriority { Name = "eth0", Priority = 7 }, new InterfacePriority { Name = Awkward } },
        },
        Rdma = new() { ["mlx5_1"] = new RdmaLimit { HcaHandles = 3, HcaObjects = uint.MaxValue }, [Awkward] = new RdmaLimit() },
        Unified = Unordered(),
    };

    static Hook Hook(int timeout) => new() { Path = "/hook" + Awkward, Args = new() { "hook", Awkward }, Env = new() { "A=" + Awkward }, Timeout = timeout };

    /// <summary>A removal then an addition reuses the freed slot: enumeration order is no
    /// longer insertion order, and both writers must follow enumeration.</summary>
    static Dictionary<string, string> Unordered()
    {
        var map = new Dictionary<string, string> { ["a"] = "1", ["b"] = Awkward, ["c"] = "3", [Awkward] = "" };
        map.Remove("a");
        map["z"] = "26";
        return map;
    }
}
