using CsRun.Cli;
using CsRun.Linux;
using CsRun.Rootfs;
using CsRun.Spec;

namespace CsRun.Criu;

/// <summary>
/// The mount points of config.mounts made in the rootfs before CRIU restores into it, as runc's
/// prepareCriuRestoreMounts: CRIU mounts on the paths it dumped and fails on a missing one
/// ("Can't stat mountpoint"), and a restore may get a fresh rootfs (containerd's `ctr container
/// restore` without --rw unpacks the image again) that lacks what `create` made there (/run).
/// Like runc: none below a tmpfs mount (CRIU restores that tmpfs with its content) and none for
/// cgroup mounts; a bind mount's point is a file when its source is one. Every path is resolved
/// inside the rootfs (openat2 RESOLVE_IN_ROOT), so a symlink in the image cannot lead out of it.
/// Unlike runc, no bind mount is made here for the points below it: those must exist in its source.
/// </summary>
internal static class RestoreMountpoints
{
    public static void Make(string rootfs, Config config, string bundle)
    {
        var mounts = config.Mounts ?? new List<Mount>();
        var tmpfs = mounts.Where(m => m.Type == "tmpfs").Select(m => RootfsCompiler.Clean(m.Destination)).ToList();
        int root = Files.Open(rootfs, O.Path | O.Directory | O.CloExec, "root.path");
        try
        {
            for (int i = 0; i < mounts.Count; i++)
            {
                var m = mounts[i];
                string dest = RootfsCompiler.Clean(m.Destination);
                if (m.Type == "cgroup" || dest == "/" || tmpfs.Any(t => dest.StartsWith(t == "/" ? "/" : t + "/", StringComparison.Ordinal))) continue;
                bool bind = m.Type == "bind" || Spec.MountOptions.IsBind(m.Options);
                bool directory = !bind || Files.Stat(Path.GetFullPath(Path.Combine(bundle, m.Source ?? "")), out var src) != 0 || src.IsDirectory;
                Make(root, dest, directory, $"mounts[{i}].destination");
            }
        }
        finally { Files.Close(root); }
    }

    /// <summary>mkdir -p of <paramref name="dest"/>'s parents inside <paramref name="root"/>, then the point itself.</summary>
    static void Make(int root, string dest, bool directory, string field)
    {
        var parts = dest.Split('/', StringSplitOptions.RemoveEmptyEntries);
        string done = "";
        for (int i = 0; i < parts.Length; i++)
        {
            bool last = i == parts.Length - 1;
            int parent = Files.TryOpenInRoot(root, done, O.Path | O.Directory);
            if (parent < 0) throw new RuntimeError($"{field}: open {(done.Length == 0 ? "/" : done)} in the rootfs: {Errno.Message(-parent)}");
            int r;
            try { r = Files.TryMakeAt(parent, parts[i], directory || !last, 0x1ed /*0755*/); }
            finally { Files.Close(parent); }
            if (r < 0 && r != -Errno.EEXIST) throw new RuntimeError($"{field}: mkdir {dest} in the rootfs: {Errno.Message(-r)}");
            done += "/" + parts[i];
        }
    }
}
