using System.Runtime.InteropServices;
using CsRun.Launch.Child;

namespace CsRun.Launch;

/// <summary>
/// Everything the child needs, in native memory: the steps and the registers steps share.
/// The parent fills it before the clone; the child owns its copy afterwards.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct ChildContext
{
    public NativeStep* Steps;
    public int Count;
    /// <summary>The child's end of the sync socket.</summary>
    public int SyncFd;
    /// <summary>The parent's end, which the child closes first so it sees EOF if the parent dies.</summary>
    public int ParentSyncFd;
    public int ReadyIndex;
    /// <summary>O_PATH fd of the rootfs (before pivot_root) or of / (after).</summary>
    public int RootFd;
    /// <summary>O_PATH fd of the current mount target, and the in-root path it was opened by.</summary>
    public int TargetFd;
    public long TargetPath;
    /// <summary>Verified /dev/null, opened once for maskedPaths.</summary>
    public int DevNullFd;
    /// <summary>The executable FindExecutable chose.</summary>
    public long ExecPath;
    /// <summary>Payload received from the parent (the state startContainer hooks read).</summary>
    public long Payload;
    public int PayloadLength;
    /// <summary>Directory WaitStart resolves the fifo path from: AT_FDCWD, a private procfs (ChildStart), or the host's /proc.</summary>
    public int ProcFd;
    /// <summary>Fds the child keeps when it starts (sorted), and the first fd past stdio and the
    /// preserved ones: everything else csrun had open is closed before the first step.</summary>
    public int* KeepFds;
    public int KeepCount;
    public int FirstUnkept;
    /// <summary>Permission bits (07777) of the directory or file PrepareTarget found in place, or -1
    /// when it made it: a tmpfs without mode= takes them (<see cref="ChildFs.WithCoveredMode"/>).</summary>
    public int TargetMode;
    /// <summary>1 when root could not enter process.cwd and the process's user tries after the uid change (<see cref="ChildCwd"/>).</summary>
    public int CwdDeferred;
    /// <summary>1 when an unprivileged parent writes the id maps: /proc/PID must stay the
    /// caller's until then, so the child turns non-dumpable only after (a step).</summary>
    public int DumpableUntilMaps;
}
