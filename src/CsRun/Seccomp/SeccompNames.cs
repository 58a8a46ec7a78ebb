using CsRun.Errors;
using CsRun.Linux;

namespace CsRun.Seccomp;

/// <summary>The runtime-spec's seccomp strings and what libseccomp and the kernel call them.</summary>
internal static class SeccompNames
{
    static readonly Dictionary<string, uint> Actions = new()
    {
        ["SCMP_ACT_KILL"] = ScmpAct.KillThread,
        ["SCMP_ACT_KILL_THREAD"] = ScmpAct.KillThread,
        ["SCMP_ACT_KILL_PROCESS"] = ScmpAct.KillProcess,
        ["SCMP_ACT_TRAP"] = ScmpAct.Trap,
        ["SCMP_ACT_ERRNO"] = ScmpAct.Errno,
        ["SCMP_ACT_TRACE"] = ScmpAct.Trace,
        ["SCMP_ACT_ALLOW"] = ScmpAct.Allow,
        ["SCMP_ACT_LOG"] = ScmpAct.Log,
        ["SCMP_ACT_NOTIFY"] = ScmpAct.Notify,
    };

    static readonly Dictionary<string, int> Operators = new()
    {
        ["SCMP_CMP_NE"] = ScmpCmp.Ne,
        ["SCMP_CMP_LT"] = ScmpCmp.Lt,
        ["SCMP_CMP_LE"] = ScmpCmp.Le,
        ["SCMP_CMP_EQ"] = ScmpCmp.Eq,
        ["SCMP_CMP_GE"] = ScmpCmp.Ge,
        ["SCMP_CMP_GT"] = ScmpCmp.Gt,
        ["SCMP_CMP_MASKED_EQ"] = ScmpCmp.MaskedEq,
    };

    // The spec's names against libseccomp's own (seccomp_arch_resolve_name). A name listed here
    // that the linked libseccomp does not resolve (LOONGARCH64, M68K, SH and SHEB need 2.6) gets
    // its own message, so an old library is not mistaken for a typo.
    static readonly Dictionary<string, string> Architectures = new()
    {
        ["SCMP_ARCH_X86"] = "x86", ["SCMP_ARCH_X86_64"] = "x86_64", ["SCMP_ARCH_X32"] = "x32",
        ["SCMP_ARCH_ARM"] = "arm", ["SCMP_ARCH_AARCH64"] = "aarch64",
        ["SCMP_ARCH_MIPS"] = "mips", ["SCMP_ARCH_MIPS64"] = "mips64", ["SCMP_ARCH_MIPS64N32"] = "mips64n32",
        ["SCMP_ARCH_MIPSEL"] = "mipsel", ["SCMP_ARCH_MIPSEL64"] = "mipsel64",
        ["SCMP_ARCH_MIPSEL64N32"] = "mipsel64n32",
        ["SCMP_ARCH_PPC"] = "ppc", ["SCMP_ARCH_PPC64"] = "ppc64", ["SCMP_ARCH_PPC64LE"] = "ppc64le",
        ["SCMP_ARCH_S390"] = "s390", ["SCMP_ARCH_S390X"] = "s390x",
        ["SCMP_ARCH_PARISC"] = "parisc", ["SCMP_ARCH_PARISC64"] = "parisc64",
        ["SCMP_ARCH_RISCV64"] = "riscv64", ["SCMP_ARCH_LOONGARCH64"] = "loongarch64",
        ["SCMP_ARCH_M68K"] = "m68k", ["SCMP_ARCH_SH"] = "sh", ["SCMP_ARCH_SHEB"] = "sheb",
    };

    static readonly Dictionary<string, uint> Flags = new()
    {
        ["SECCOMP_FILTER_FLAG_TSYNC"] = SeccompConst.FlagTsync,
        ["SECCOMP_FILTER_FLAG_LOG"] = SeccompConst.FlagLog,
        ["SECCOMP_FILTER_FLAG_SPEC_ALLOW"] = SeccompConst.FlagSpecAllow,
        ["SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"] = SeccompConst.FlagWaitKillableRecv,
    };

    /// <summary>
    /// The action value, with the errno folded into ERRNO and TRACE (EPERM when unset, as runc
    /// does). The spec says a runtime MUST fail on an errno for any other action; runc ignores it,
    /// crun fails, and so do we.
    /// </summary>
    public static IEnumerable<string> ActionNames => Actions.Keys;
    public static IEnumerable<string> OperatorNames => Operators.Keys;
    public static IEnumerable<string> ArchitectureNames => Architectures.Keys;
    public static IEnumerable<string> FlagNames => Flags.Keys;

    public static uint Action(string name, uint? errnoRet, string actionPath, string errnoPath)
    {
        if (!Actions.TryGetValue(name, out uint action))
            throw new RuntimeError($"{actionPath}: unknown action \"{name}\"");
        bool takesErrno = action is ScmpAct.Errno or ScmpAct.Trace;
        if (errnoRet is uint e)
        {
            if (!takesErrno)
                throw new RuntimeError($"{errnoPath}: only SCMP_ACT_ERRNO and SCMP_ACT_TRACE take an errno, not {name}");
            if (e > ScmpAct.DataMask)
                throw new RuntimeError($"{errnoPath}: {e} is out of range (at most {ScmpAct.DataMask})");
        }
        return takesErrno ? action | (errnoRet ?? (uint)Errno.EPERM) : action;
    }

    public static int Operator(string name, string path) => Operators.TryGetValue(name, out int op)
        ? op
        : throw new RuntimeError($"{path}: unknown operator \"{name}\"");

    public static uint ArchToken(string name, string path)
    {
        if (!Architectures.TryGetValue(name, out string? libName))
            throw new RuntimeError($"{path}: unknown architecture \"{name}\"");
        uint token = LibSeccomp.ArchResolveName(libName);
        return token != 0
            ? token
            : throw new RuntimeError($"{path}: architecture \"{name}\" is not supported by the linked libseccomp");
    }

    public static uint Flag(string name, string path) => Flags.TryGetValue(name, out uint flag)
        ? flag
        : throw new RuntimeError($"{path}: unknown flag \"{name}\"");
}
