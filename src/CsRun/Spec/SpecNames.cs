using CsRun.Linux;

namespace CsRun.Spec;

/// <summary>
/// The closed sets of names config.json may use (config.md, config-linux.md, runc's tables),
/// with the kernel number where there is one, so that the validator and the later layers read
/// one table.
/// </summary>
public static class SpecNames
{
    /// <summary>linux.namespaces[].type → the clone(2) flag.</summary>
    public static readonly IReadOnlyDictionary<string, long> Namespaces = new Dictionary<string, long>
    {
        ["pid"] = CloneFlags.NewPid, ["network"] = CloneFlags.NewNet, ["mount"] = CloneFlags.NewNs,
        ["ipc"] = CloneFlags.NewIpc, ["uts"] = CloneFlags.NewUts, ["user"] = CloneFlags.NewUser,
        ["cgroup"] = CloneFlags.NewCgroup, ["time"] = CloneFlags.NewTime,
    };

    /// <summary>process.rlimits[].type → the resource number (asm-generic/resource.h).</summary>
    public static readonly IReadOnlyDictionary<string, int> Rlimits = new Dictionary<string, int>
    {
        ["RLIMIT_CPU"] = 0, ["RLIMIT_FSIZE"] = 1, ["RLIMIT_DATA"] = 2, ["RLIMIT_STACK"] = 3, ["RLIMIT_CORE"] = 4,
        ["RLIMIT_RSS"] = 5, ["RLIMIT_NPROC"] = 6, ["RLIMIT_NOFILE"] = 7, ["RLIMIT_MEMLOCK"] = 8, ["RLIMIT_AS"] = 9,
        ["RLIMIT_LOCKS"] = 10, ["RLIMIT_SIGPENDING"] = 11, ["RLIMIT_MSGQUEUE"] = 12, ["RLIMIT_NICE"] = 13,
        ["RLIMIT_RTPRIO"] = 14, ["RLIMIT_RTTIME"] = 15,
    };

    /// <summary>linux.rootfsPropagation → mount(2) propagation flags.</summary>
    public static readonly IReadOnlyDictionary<string, ulong> Propagations = new Dictionary<string, ulong>
    {
        ["private"] = Ms.Private, ["rprivate"] = Ms.Private | Ms.Rec, ["slave"] = Ms.Slave, ["rslave"] = Ms.Slave | Ms.Rec,
        ["shared"] = Ms.Shared, ["rshared"] = Ms.Shared | Ms.Rec, ["unbindable"] = Ms.Unbindable,
        ["runbindable"] = Ms.Unbindable | Ms.Rec,
    };

    /// <summary>linux.personality.domain → personality(2) value (PER_LINUX, PER_LINUX32).</summary>
    public static readonly IReadOnlyDictionary<string, int> PersonalityDomains = new Dictionary<string, int>
    {
        ["LINUX"] = 0x0000, ["LINUX32"] = 0x0008,
    };

    /// <summary>process.scheduler.policy → sched_setattr(2) policy.</summary>
    public static readonly IReadOnlyDictionary<string, int> SchedulerPolicies = new Dictionary<string, int>
    {
        ["SCHED_OTHER"] = 0, ["SCHED_FIFO"] = 1, ["SCHED_RR"] = 2, ["SCHED_BATCH"] = 3, ["SCHED_ISO"] = 4,
        ["SCHED_IDLE"] = 5, ["SCHED_DEADLINE"] = 6,
    };

    /// <summary>process.scheduler.flags → sched_attr.sched_flags bits.</summary>
    public static readonly IReadOnlyDictionary<string, ulong> SchedulerFlags = new Dictionary<string, ulong>
    {
        ["SCHED_FLAG_RESET_ON_FORK"] = 0x01, ["SCHED_FLAG_RECLAIM"] = 0x02, ["SCHED_FLAG_DL_OVERRUN"] = 0x04,
        ["SCHED_FLAG_KEEP_POLICY"] = 0x08, ["SCHED_FLAG_KEEP_PARAMS"] = 0x10, ["SCHED_FLAG_UTIL_CLAMP_MIN"] = 0x20,
        ["SCHED_FLAG_UTIL_CLAMP_MAX"] = 0x40,
    };

    /// <summary>process.ioPriority.class → ioprio class.</summary>
    public static readonly IReadOnlyDictionary<string, int> IoPriorityClasses = new Dictionary<string, int>
    {
        ["IOPRIO_CLASS_RT"] = 1, ["IOPRIO_CLASS_BE"] = 2, ["IOPRIO_CLASS_IDLE"] = 3,
    };

    /// <summary>linux.memoryPolicy.mode → set_mempolicy(2) mode.</summary>
    public static readonly IReadOnlyDictionary<string, int> MemoryPolicyModes = new Dictionary<string, int>
    {
        ["MPOL_DEFAULT"] = 0, ["MPOL_PREFERRED"] = 1, ["MPOL_BIND"] = 2, ["MPOL_INTERLEAVE"] = 3, ["MPOL_LOCAL"] = 4,
        ["MPOL_PREFERRED_MANY"] = 5, ["MPOL_WEIGHTED_INTERLEAVE"] = 6,
    };

    /// <summary>linux.memoryPolicy.flags → mode flag bits.</summary>
    public static readonly IReadOnlyDictionary<string, int> MemoryPolicyFlags = new Dictionary<string, int>
    {
        ["MPOL_F_STATIC_NODES"] = 1 << 15, ["MPOL_F_RELATIVE_NODES"] = 1 << 14, ["MPOL_F_NUMA_BALANCING"] = 1 << 13,
    };

    /// <summary>linux.devices[].type (p: fifo, u: unbuffered char device).</summary>
    public static readonly string[] DeviceTypes = { "c", "b", "u", "p" };

    /// <summary>linux.resources.devices[].type ("a": all; empty means all too).</summary>
    public static readonly string[] DeviceRuleTypes = { "a", "b", "c" };

    /// <summary>linux.timeOffsets keys: the clocks time_namespaces(7) can offset.</summary>
    public static readonly string[] TimeClocks = { "monotonic", "boottime" };

    public static readonly string[] SeccompActions =
    {
        "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP", "SCMP_ACT_ERRNO",
        "SCMP_ACT_TRACE", "SCMP_ACT_ALLOW", "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY",
    };

    /// <summary>The actions that return an errno (errnoRet applies to these only).</summary>
    public static readonly string[] SeccompErrnoActions = { "SCMP_ACT_ERRNO", "SCMP_ACT_TRACE" };

    public static readonly string[] SeccompArchitectures =
    {
        "SCMP_ARCH_X86", "SCMP_ARCH_X86_64", "SCMP_ARCH_X32", "SCMP_ARCH_ARM", "SCMP_ARCH_AARCH64", "SCMP_ARCH_MIPS",
        "SCMP_ARCH_MIPS64", "SCMP_ARCH_MIPS64N32", "SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32",
        "SCMP_ARCH_PPC", "SCMP_ARCH_PPC64", "SCMP_ARCH_PPC64LE", "SCMP_ARCH_S390", "SCMP_ARCH_S390X",
        "SCMP_ARCH_PARISC", "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64", "SCMP_ARCH_LOONGARCH64", "SCMP_ARCH_M68K",
        "SCMP_ARCH_SH", "SCMP_ARCH_SHEB",
    };

    public static readonly string[] SeccompFlags =
    {
        "SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
        "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
    };

    public static readonly string[] SeccompOperators =
    {
        "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ",
    };
}
