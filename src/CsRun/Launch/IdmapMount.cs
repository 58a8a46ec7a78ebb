using CsRun.Spec;

namespace CsRun.Launch;

/// <summary>
/// An id-mapped bind mount as compiled. <see cref="Uid"/>/<see cref="Gid"/> are the mount's own
/// maps, or null for the container's user namespace (idmap/ridmap without maps: config.md's
/// "MAY use the container's user namespace mapping", runc 1.2 alike). <see cref="InRootfs"/>:
/// the source's path below the rootfs when it is named inside it.
/// </summary>
internal sealed record IdmapMount(string Field, string Source, bool RecursiveIdmap, List<IdMapping>? Uid, List<IdMapping>? Gid)
{
    public string? InRootfs { get; init; }
}
