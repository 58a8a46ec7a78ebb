using System.Runtime.InteropServices;

namespace CsRun.Linux;

/// <summary>
/// libseccomp (seccomp.h, 2.5.x), used only by the parent to compile a filter to BPF. The AOT
/// binary links libseccomp.a in (DirectPInvoke, see CsRun.csproj); a JIT host such as the test
/// runner loads libseccomp.so instead. The forked child never calls in here: it loads the
/// exported bytes with the raw seccomp(2) system call.
/// </summary>
internal static unsafe partial class LibSeccomp
{
    const string L = "libseccomp";

    /// <summary>seccomp_syscall_resolve_name's answer for a name it does not know.</summary>
    public const int NrError = -1;

    /// <summary>struct scmp_version: major, minor, micro.</summary>
    [LibraryImport(L, EntryPoint = "seccomp_version")]
    public static partial uint* Version();

    [LibraryImport(L, EntryPoint = "seccomp_init")]
    public static partial nint Init(uint defaultAction);

    [LibraryImport(L, EntryPoint = "seccomp_release")]
    public static partial void Release(nint ctx);

    /// <summary>0 when libseccomp does not know the name.</summary>
    [LibraryImport(L, EntryPoint = "seccomp_arch_resolve_name", StringMarshalling = StringMarshalling.Utf8)]
    public static partial uint ArchResolveName(string name);

    [LibraryImport(L, EntryPoint = "seccomp_arch_add")]
    public static partial int ArchAdd(nint ctx, uint archToken);

    [LibraryImport(L, EntryPoint = "seccomp_attr_set")]
    public static partial int AttrSet(nint ctx, int attr, uint value);

    /// <summary>The native number, a negative pseudo number for a syscall that exists only on
    /// other architectures (libseccomp adds it where it exists), or <see cref="NrError"/>.</summary>
    [LibraryImport(L, EntryPoint = "seccomp_syscall_resolve_name", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int SyscallResolveName(string name);

    /// <summary>The number on <paramref name="archToken"/>'s architecture (x32's carry its
    /// 0x40000000 bit), or <see cref="NrError"/> where it does not exist or is unknown.</summary>
    [LibraryImport(L, EntryPoint = "seccomp_syscall_resolve_name_arch", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int SyscallResolveNameArch(uint archToken, string name);

    /// <summary>The architecture token of the running process.</summary>
    [LibraryImport(L, EntryPoint = "seccomp_arch_native")]
    public static partial uint ArchNative();

    [LibraryImport(L, EntryPoint = "seccomp_rule_add_array")]
    public static partial int RuleAddArray(nint ctx, uint action, int syscall, uint argCount, ArgCmp* args);

    [LibraryImport(L, EntryPoint = "seccomp_export_bpf")]
    public static partial int ExportBpf(nint ctx, int fd);

    /// <summary>What the running kernel and libseccomp support (seccomp_api_get(3)).</summary>
    [LibraryImport(L, EntryPoint = "seccomp_api_get")]
    public static partial uint ApiGet();

    /// <summary>struct scmp_arg_cmp.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct ArgCmp
    {
        public uint Arg;
        public int Op;
        public ulong DatumA;
        public ulong DatumB;
    }
}

/// <summary>SCMP_ACT_* action values; the low 16 bits of ERRNO and TRACE carry data.</summary>
internal static class ScmpAct
{
    public const uint KillProcess = 0x80000000, KillThread = 0, Trap = 0x00030000, Notify = 0x7fc00000;
    public const uint Errno = 0x00050000, Trace = 0x7ff00000, Log = 0x7ffc0000, Allow = 0x7fff0000;
    public const uint DataMask = 0xffff;
}

/// <summary>enum scmp_compare.</summary>
internal static class ScmpCmp
{
    public const int Ne = 1, Lt = 2, Le = 3, Eq = 4, Ge = 5, Gt = 6, MaskedEq = 7;
}

/// <summary>enum scmp_filter_attr.</summary>
internal static class ScmpAttr
{
    public const int ActDefault = 1, ActBadArch = 2, CtlNnp = 3, CtlTsync = 4, ApiTskip = 5, CtlLog = 6;
    public const int CtlSsb = 7, CtlOptimize = 8, ApiSysRawRc = 9;
}
