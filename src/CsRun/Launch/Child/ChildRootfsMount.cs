using CsRun.Linux;

namespace CsRun.Launch.Child;

/// <summary>
/// Before the rootfs is bound on itself, the mount that holds it (the rootfs itself when it is a
/// mount point) must not be shared: pivot_root refuses a new root whose parent mount is shared
/// (and MS_MOVE one under a shared mount), and the bind would propagate to the host's peers. Only
/// needed when `/` was made shared, or changed without MS_REC (runc's rootfsParentMountPrivate).
/// The mount is found without mountinfo: walking up from the rootfs, a propagation change on a
/// directory that is not a mount's root fails with EINVAL (runc 1.2's way).
/// </summary>
internal static unsafe class ChildRootfsMount
{
    /// <summary>Deeper than any path can be (PATH_MAX / 2), so a loop can only end.</summary>
    const int MaxDepth = 2048;

    public static long Isolate(long rootfs, long propagation)
    {
        long fd = Libc.Raw(Nr.Openat, O.AtFdCwd, rootfs, O.Path | O.Directory | O.CloExec);
        if (fd < 0) return fd;
        byte* link = stackalloc byte[32];
        long r = -Errno.ELOOP;
        for (int depth = 0; depth < MaxDepth; depth++)
        {
            r = Libc.Raw(Nr.Mount, 0, ChildFs.ProcFdPath(link, (int)fd), 0, propagation, 0);
            if (r != -Errno.EINVAL) break;
            long up = Libc.Raw(Nr.Openat, fd, (long)"..\0"u8.AsPointerUnsafe(), O.Path | O.Directory | O.CloExec);
            Libc.Raw(Nr.Close, fd);
            if (up < 0) return up;
            fd = up;
        }
        Libc.Raw(Nr.Close, fd);
        return r < 0 ? r : 0;
    }
}
