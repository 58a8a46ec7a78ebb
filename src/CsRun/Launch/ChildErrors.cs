namespace CsRun.Launch;

/// <summary>Failures the child detects itself, reported in the errno slot above the kernel's range.</summary>
internal static class ChildErrors
{
    public const int NotDevNull = 1001;
    public const int CwdOutsideContainer = 1002;
    public const int NotProcfs = 1003;
    /// <summary>A hook exited non-zero: 1004 + (exit status &amp; 0xff).</summary>
    public const int HookFailedBase = 1004;
    public const int HookTimedOut = 1300;
    public const int NotADevice = 1301;
    public const int TargetIsSymlink = 1302;
    /// <summary>openat2 failed with errno e: reported as this + e (e below 1000).</summary>
    public const int Openat2FailedBase = 2000;
    /// <summary>mount failed with errno e: reported as this + e.</summary>
    public const int MountFailedBase = 3000;
    /// <summary>wait4 for a startContainer hook failed with errno e (a seccomp profile may deny it): this + e.</summary>
    public const int HookWaitFailedBase = 4000;

    public static string Describe(int errno) => errno switch
    {
        NotDevNull => "refusing to use /dev/null: it is not the null character device (1:3) inside the container",
        CwdOutsideContainer => "current working directory is outside of container mount namespace root -- possible container breakout detected",
        NotProcfs => "refusing to write: the file is not on procfs",
        HookTimedOut => "hook timed out",
        NotADevice => "refusing to reuse it: the image has something other than a device node there",
        TargetIsSymlink => "refusing a symlink where the container needs a real directory or file (proc, sysfs, /dev, /dev/console)",
        >= HookFailedBase and < HookFailedBase + 256 => $"hook exited with status {errno - HookFailedBase}",
        > Openat2FailedBase and < Openat2FailedBase + 1000 => Syscall("openat2 (RESOLVE_IN_ROOT)", errno - Openat2FailedBase),
        > MountFailedBase and < MountFailedBase + 1000 => Syscall("mount", errno - MountFailedBase),
        > HookWaitFailedBase and < HookWaitFailedBase + 1000 => Syscall("wait4 for the hook", errno - HookWaitFailedBase),
        _ => Linux.Errno.Message(errno),
    };

    static string Syscall(string name, int errno) => $"{name}: {Linux.Errno.Message(errno)} ({Linux.Errno.Name(errno)})";
}
