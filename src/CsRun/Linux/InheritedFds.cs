using System.Runtime.InteropServices;

namespace CsRun.Linux;

/// <summary>The fds csrun's caller left open, as src/native/inherited_fds.c saw them before the runtime started.</summary>
internal static partial class InheritedFds
{
    [LibraryImport("csrunnative", EntryPoint = "csrun_first_closed_fd")]
    [SuppressGCTransition]
    private static partial int FirstClosedFd();

    /// <summary>Was every fd from 3 up to <paramref name="end"/> (exclusive) open when csrun started?</summary>
    public static bool AllOpenBelow(int end)
    {
        try
        {
            return FirstClosedFd() >= end;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // A JIT host (the tests in process) has no constructor: ask the kernel now.
            for (int fd = 3; fd < end; fd++)
                if (Libc.Sys(Nr.Fcntl, fd, 1 /*F_GETFD*/) < 0) return false;
            return true;
        }
    }
}
