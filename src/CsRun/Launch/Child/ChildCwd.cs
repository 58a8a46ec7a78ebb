using CsRun.Linux;

namespace CsRun.Launch.Child;

/// <summary>
/// process.cwd as runc's finalizeNamespace enters it: first as root, before the uid change (a
/// directory root may enter and the user may not), and when root is refused (EACCES or EPERM:
/// a volume chowned to the container's user on root-squashing NFS, or owned by an id a user
/// namespace does not map) once more as the process's user after the change.
/// </summary>
internal static unsafe class ChildCwd
{
    /// <summary>Chdir step modes (B): plain, first try (root may be refused), retry after the uid change.</summary>
    public const int Plain = 0, AsRoot = 1, AsUser = 2;

    public static long Chdir(ChildContext* ctx, long path, int mode)
    {
        if (mode == AsUser && ctx->CwdDeferred == 0) return 0;
        long r = Libc.Raw(Nr.Chdir, path);
        if (mode == AsRoot && (r == -Errno.EACCES || r == -Errno.EPERM))
        {
            ctx->CwdDeferred = 1;
            return 0;
        }
        return r < 0 ? r : 0;
    }
}
