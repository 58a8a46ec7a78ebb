using CsRun.Container;
using CsRun.Errors;
using CsRun.Launch;
using CsRun.Launch.Child;
using CsRun.Linux;

namespace CsRun.Rootfs;

/// <summary>
/// Parent side of an id-mapped bind: mount_setattr(MOUNT_ATTR_IDMAP) on the detached tree the
/// child cloned. The kernel wants CAP_SYS_ADMIN in the filesystem's user namespace (the host's)
/// and in the mapping's, which the container's root has in neither, so csrun does it here.
/// </summary>
internal static unsafe class IdmapSetattr
{
    const ulong AttrIdmap = 0x100000;
    const int AtRecursive = 0x8000;

    /// <summary>Map <paramref name="tree"/> (closed here) as <paramref name="im"/> asks: its own maps
    /// through a helper user namespace, or the container's (the init's) user namespace.</summary>
    public static void Apply(int tree, IdmapMount im, int initPid, UsernsHelper helper)
    {
        int ownNs = -1;
        try
        {
            int ns;
            if (im.Uid != null) ns = helper.Get(im.Uid, im.Gid!, im.Field);
            else
            {
                ns = ownNs = Files.TryOpen($"/proc/{initPid}/ns/user", O.RdOnly);
                if (ns < 0) throw new RuntimeError($"{im.Field}: open the container's user namespace /proc/{initPid}/ns/user: {Errno.Message(-ns)}");
            }
            ulong* attr = stackalloc ulong[4];
            attr[0] = AttrIdmap;
            attr[1] = 0;
            attr[2] = 0;
            attr[3] = (ulong)ns;
            long r = Libc.Sys(Nr.MountSetattr, tree, (long)"\0"u8.AsPointerUnsafe(),
                O.AtEmptyPath | (im.RecursiveIdmap ? AtRecursive : 0), (long)attr, 32);
            if (r < 0) throw new RuntimeError(Describe(im, tree, (int)-r));
        }
        finally
        {
            Files.Close(ownNs);
            Files.Close(tree);
        }
    }

    static string Describe(IdmapMount im, int tree, int errno)
    {
        string head = $"{im.Field}: id-map {im.Source}: mount_setattr MOUNT_ATTR_IDMAP{(im.RecursiveIdmap ? " recursively" : "")}: {Errno.Message(errno)} ({Errno.Name(errno)})";
        return errno switch
        {
            Errno.EINVAL => $"{head}: its filesystem ({FsName(Files.FsType(tree))}){(im.RecursiveIdmap ? " or one mounted below it" : "")} cannot be id-mapped on this kernel",
            Errno.ENOSYS => $"{head}: id-mapped mounts need Linux 5.12 or later",
            _ => head,
        };
    }

    static readonly Dictionary<long, string> FsNames = new()
    {
        [Magic.Proc] = "proc", [Magic.Sysfs] = "sysfs", [Magic.Tmpfs] = "tmpfs", [Magic.Nsfs] = "nsfs",
        [Magic.Cgroup] = "cgroup", [Magic.Cgroup2] = "cgroup2", [0xEF53] = "ext4", [0x58465342] = "xfs",
        [0x9123683E] = "btrfs", [0x794c7630] = "overlay", [0x1cd1] = "devpts", [0x19800202] = "mqueue",
        [0x858458f6] = "ramfs", [0x65735546] = "fuse", [0x6969] = "nfs", [0x62646576] = "bdev",
    };

    static string FsName(long type) =>
        type < 0 ? "unknown" : FsNames.TryGetValue(type, out var name) ? name : $"f_type 0x{type:x}";
}
