namespace CsRun.Launch.Child;

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
}
