using System.Runtime.InteropServices;

namespace CsRun.Linux;

/// <summary>
/// The only place that calls libc. Everything the forked child uses goes through
/// <see cref="Raw"/>: glibc's wrappers for set*id, fork and malloc keep process-wide state
/// (thread lists, locks) that a raw clone copies in an inconsistent state, so the child
/// must use plain system calls only.
/// </summary>
internal static unsafe partial class Libc
{
    const string C = "libc";

    [LibraryImport(C, EntryPoint = "syscall")]
    [UnmanagedCallConv(CallConvs = new[] { typeof(System.Runtime.CompilerServices.CallConvCdecl) })]
    private static partial long SyscallBlocking(long nr, long a1, long a2, long a3, long a4, long a5, long a6);

    [LibraryImport(C, EntryPoint = "syscall")]
    [SuppressGCTransition]
    private static partial long SyscallFast(long nr, long a1, long a2, long a3, long a4, long a5, long a6);

    /// <summary>glibc's malloc_trim: return free heap memory to the kernel.</summary>
    [LibraryImport(C, EntryPoint = "malloc_trim")]
    public static partial int MallocTrim(nuint pad);

    [LibraryImport(C, EntryPoint = "__errno_location")]
    [SuppressGCTransition]
    private static partial int* ErrnoLocation();

    [LibraryImport(C, EntryPoint = "getauxval")]
    [SuppressGCTransition]
    private static partial ulong GetAuxval(ulong type);

    /// <summary>An entry of the process's auxiliary vector (AT_PHDR: where the program headers are).</summary>
    public static ulong AuxValue(ulong type) => GetAuxval(type);

    /// <summary>errno of the last failed call on this thread.</summary>
    public static int Errno => *ErrnoLocation();

    // Errno convention, the same for every call here and for the layers above: a system call
    // returns its result (>= 0) or -errno, as the kernel does; nothing reads errno later.

    /// <summary>
    /// A system call that may block (read, wait4, open of a fifo). Returns the result or -errno.
    /// </summary>
    public static long Sys(long nr, long a1 = 0, long a2 = 0, long a3 = 0, long a4 = 0, long a5 = 0, long a6 = 0)
    {
        long r = SyscallBlocking(nr, a1, a2, a3, a4, a5, a6);
        return r == -1 ? -*ErrnoLocation() : r;
    }

    /// <summary>
    /// A system call for the forked child, which has one thread and never collects garbage:
    /// no GC transition, no allocation. Returns the result or -errno.
    /// </summary>
    public static long Raw(long nr, long a1 = 0, long a2 = 0, long a3 = 0, long a4 = 0, long a5 = 0, long a6 = 0)
    {
        long r = SyscallFast(nr, a1, a2, a3, a4, a5, a6);
        return r == -1 ? -*ErrnoLocation() : r;
    }

    /// <summary><see cref="Sys"/>, called again while a signal interrupts it (EINTR).</summary>
    public static long SysRetry(long nr, long a1 = 0, long a2 = 0, long a3 = 0, long a4 = 0, long a5 = 0, long a6 = 0)
    {
        long r;
        do r = Sys(nr, a1, a2, a3, a4, a5, a6);
        while (r == -CsRun.Linux.Errno.EINTR);
        return r;
    }

    /// <summary><see cref="Raw"/>, called again while a signal interrupts it (EINTR); for the forked child.</summary>
    public static long RawRetry(long nr, long a1 = 0, long a2 = 0, long a3 = 0, long a4 = 0, long a5 = 0, long a6 = 0)
    {
        long r;
        do r = Raw(nr, a1, a2, a3, a4, a5, a6);
        while (r == -CsRun.Linux.Errno.EINTR);
        return r;
    }
}
