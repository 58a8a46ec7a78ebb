using System.Runtime.InteropServices;

namespace CsRun.Linux;

/// <summary>The fds csrun's caller left open, as src/native/inherited_fds.c saw them before the runtime started.</summary>
internal static partial class InheritedFds
{
    [LibraryImport("csrunnative", EntryPoint = "csrun_first_closed_fd")]
    [SuppressGCTransition]
    private static partial int FirstClosedFd();

    /// <summary>The lowest fd from 3 on that was not open when csrun started.</summary>
    public static int FirstClosed()
    {
        try
        {
            return FirstClosedFd();
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // A JIT host (the tests in process) has no constructor: ask the kernel now.
            int fd = 3;
            while (Libc.Sys(Nr.Fcntl, fd, 1 /*F_GETFD*/) >= 0) fd++;
            return fd;
        }
    }
}
