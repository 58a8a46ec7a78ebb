using CsRun.Launch.Child;

namespace CsRun.Launch;

/// <summary>The parent's words for the errors the child reports in the errno slot
/// (<see cref="ChildErrors"/>): kept out of the Child* files, which hold only child code.</summary>
internal static class ReportedErrorText
{
    public static string Describe(int errno) => errno switch
    {
        ChildErrors.NotDevNull => "refusing to use /dev/null: it is not the null character device (1:3) inside the container",
        ChildErrors.CwdOutsideContainer => "current working directory is outside of container mount namespace root -- possible container breakout detected",
        ChildErrors.NotProcfs => "refusing to write: the file is not on procfs",
        ChildErrors.HookTimedOut => "hook timed out",
        ChildErrors.NotADevice => "refusing to reuse it: the image has something other than a device node there",
        ChildErrors.TargetIsSymlink => "refusing a symlink where the container needs a real directory or file (proc, sysfs, /dev, /dev/console)",
        >= ChildErrors.HookFailedBase and < ChildErrors.HookFailedBase + 256 => $"hook exited with status {errno - ChildErrors.HookFailedBase}",
        > ChildErrors.Openat2FailedBase and < ChildErrors.Openat2FailedBase + 1000 => Syscall("openat2 (RESOLVE_IN_ROOT)", errno - ChildErrors.Openat2FailedBase),
        > ChildErrors.MountFailedBase and < ChildErrors.MountFailedBase + 1000 => Syscall("mount", errno - ChildErrors.MountFailedBase),
        > ChildErrors.HookWaitFailedBase and < ChildErrors.HookWaitFailedBase + 1000 => Syscall("wait4 for the hook", errno - ChildErrors.HookWaitFailedBase),
        _ => Linux.Errno.Message(errno),
    };

    static string Syscall(string name, int errno) => $"{name}: {Linux.Errno.Message(errno)} ({Linux.Errno.Name(errno)})";
}
