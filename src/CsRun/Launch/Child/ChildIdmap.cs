using CsRun.Linux;

namespace CsRun.Launch.Child;

/// <summary>
/// Child side of an id-mapped bind (Rootfs/IdmapMounts). The tree is cloned here, in
/// the container's mount namespace, from the fd the host opened below it (or by path without a
/// user namespace): a copy of this namespace's mounts keeps what the user namespace locked
/// (submounts, a read-only host mount), where one cloned in the host's namespace would not. Only
/// the parent may set MOUNT_ATTR_IDMAP (it needs CAP_SYS_ADMIN over the filesystem's user
/// namespace, the host's), so the detached tree goes to it and comes back mapped; no path is
/// resolved again on the way: the tree is attached on the target fd.
/// </summary>
internal static unsafe class ChildIdmap
{
    const long OpenTreeClone = 1, AtRecursive = 0x8000;

    /// <summary>The tree of the slot's fd, of <paramref name="path"/> in the rootfs (<paramref name="inRootfs"/>),
    /// or of the host path; attached on the target once the parent mapped it.</summary>
    public static long Bind(ChildContext* ctx, int* slot, long path, long bindFlags, int index, bool inRootfs)
    {
        long flags = OpenTreeClone | O.CloExec | ((bindFlags & (long)Ms.Rec) != 0 ? AtRecursive : 0);
        long tree;
        int fd = -1;
        if (slot != null)
        {
            fd = *slot;
            *slot = -1;
            if (fd < 0) return -Errno.EBADF;
        }
        else if (inRootfs)
        {
            long r0 = ChildFs.OpenInRoot(ctx->RootFd, path, O.Path);
            if (r0 < 0) return r0;
            fd = (int)r0;
        }
        if (fd >= 0)
        {
            tree = Libc.Raw(Nr.OpenTree, fd, (long)"\0"u8.AsPointerUnsafe(), flags | O.AtEmptyPath);
            Libc.Raw(Nr.Close, fd);
        }
        else tree = Libc.Raw(Nr.OpenTree, O.AtFdCwd, path, flags);
        if (tree < 0) return tree;
        // Step: which mount, so the parent knows the mapping (Value -1: the fd rides into it). The
        // parent answers IdmapDone, or reports the failure itself and kills us where we wait.
        SyncMessage msg = new() { Type = (int)SyncType.IdmapTree, Step = index, Value = -1 };
        long r = ChildConsole.SendWithFd(ctx->SyncFd, (byte*)&msg, sizeof(SyncMessage), (int)tree);
        if (r == 0) r = SyncWaitStep.Wait(ctx, (int)SyncType.IdmapDone);
        if (r == 0) r = ChildFs.AttachOnTarget(ctx, (int)tree);
        Libc.Raw(Nr.Close, tree);
        return r;
    }
}
