using CsRun.Launch;
using CsRun.Spec;

namespace CsRun.Rootfs;

/// <summary>
/// Id-mapped bind mounts (runc 1.2's mountFd): the child clones the source's tree
/// (open_tree OPEN_TREE_CLONE, AT_RECURSIVE for rbind) in its own mount namespace, so the copy
/// keeps what a user namespace locked there; it hands the detached tree to the parent, which alone
/// may set MOUNT_ATTR_IDMAP (CAP_SYS_ADMIN over the filesystem and over the mapping's user
/// namespace: <see cref="IdmapSetattr"/>); then the child attaches it on the checked target fd.
/// </summary>
internal static class IdmapMounts
{
    /// <summary>The mount's idmapping, or null when it has none.</summary>
    public static IdmapMount? Of(MountEntry m, MountOptions o, string field, string source, string rootfs)
    {
        bool maps = m.UidMappings != null || m.GidMappings != null;
        if (o.IdmapRecursive == null && !maps) return null;
        // runc 1.2: maps without idmap or ridmap map the bind's top mount only.
        return new IdmapMount(field, source, o.IdmapRecursive == true, maps ? m.UidMappings : null, maps ? m.GidMappings : null)
        {
            InRootfs = BelowRootfs(source, rootfs),
        };
    }

    /// <summary>
    /// A source named inside the rootfs is resolved inside it (openat2 RESOLVE_IN_ROOT from the
    /// rootfs fd), so a symlink of the image cannot lead the mapping out to the host: an id-mapped
    /// bind of the host's / would be the container root's to write. Other binds keep runc's
    /// host-side resolution.
    /// </summary>
    static string? BelowRootfs(string source, string rootfs)
    {
        string full = Path.GetFullPath(source), root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(rootfs));
        if (full == root) return ".";
        return full.StartsWith(root + "/", StringComparison.Ordinal) ? full[(root.Length + 1)..] : null;
    }

    /// <summary>
    /// The step that binds it: from the fd the host opened (<paramref name="hostSources"/>, a
    /// container with a user namespace), by path (the child has the host's credentials), or by
    /// its path in the rootfs (<see cref="IdmapMount.InRootfs"/>).
    /// </summary>
    public static unsafe void Compile(SetupProgram p, Step? hostSources, IdmapMount im, string dest, ulong recursiveBind)
    {
        bool fromHost = hostSources != null && im.InRootfs == null;
        int* slot = fromHost ? HostBindSources.Reserve(p, hostSources!, im.Field, im.Source) : null;
        long path = fromHost ? 0 : p.Arena.Str(im.InRootfs ?? im.Source);
        int index = p.IdmapMounts.Count;
        p.IdmapMounts.Add(im);
        string how = (im.RecursiveIdmap ? "ridmap" : "idmap") + (im.Uid != null ? " with the mount's maps" : " with the container's user namespace");
        string from = fromHost ? " (opened on the host)" : im.InRootfs != null ? " (resolved in the rootfs)" : "";
        IdmapBindStep.Emit(p, im.Field, $"bind {im.Source}{from} on {dest}{(recursiveBind != 0 ? " recursively" : "")}, {how}",
            slot, path, (long)recursiveBind, index, im.InRootfs != null);
    }
}
