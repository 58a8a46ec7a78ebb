using CsRun.Launch;
using CsRun.Linux;
using CsRun.Spec;

namespace CsRun.Rootfs;

/// <summary>
/// A `cgroup` mount. With a cgroup namespace the kernel shows only the container's subtree;
/// without one we bind the container's own cgroup directories, so either way the container sees
/// its own cgroup only. Read-only unless the options say rw.
/// </summary>
internal static class CgroupMountCompiler
{
    public static void Compile(SetupProgram p, CompileContext ctx, MountEntry m, string field, MountOptions o)
    {
        var a = p.Arena;
        string dest = RootfsCompiler.Clean(m.Destination);
        bool ownNamespace = ctx.Config.Linux?.Namespaces?.Any(n => n.Type == "cgroup" && string.IsNullOrEmpty(n.Path)) == true;
        ulong flags = (o.Flags & ~(Ms.Bind | Ms.Rec)) | Ms.NoSuid | Ms.NoExec | Ms.NoDev;
        var paths = ctx.CgroupPaths;
        bool unified = paths.Count == 1 && paths.ContainsKey("");
        if (unified || paths.Count == 0)
        {
            PrepareTargetStep.Emit(p, field + ".destination", $"mkdir {dest}", a.Str(RootfsCompiler.InRoot(dest)), 1);
            // A second cgroup2 mount stacked on the first (legal in the spec) would be the same
            // superblock on the same mount point: EBUSY. runc then binds the container's cgroup,
            // which is what a cgroup2 mount in its cgroup namespace shows: do that from the start.
            bool stacked = unified && StackedOnEarlierCgroupMount(ctx, m, dest);
            if ((ownNamespace || paths.Count == 0) && !stacked)
                MountTargetStep.Emit(p, field, $"mount cgroup2 on {dest}", a.Str("cgroup2"), a.Str("cgroup2"), (long)flags, 0);
            else
            {
                BindTargetStep.Emit(p, field, $"bind {paths[""]} on {dest}", a.Str(paths[""]), (long)Ms.Rec);
                RemountTargetStep.Emit(p, field + ".options", $"remount {dest} {MountOptions.Describe(flags)}", (long)flags);
            }
            return;
        }
        // v1: a tmpfs holding one directory per hierarchy, then read-only on top of it all.
        PrepareTargetStep.Emit(p, field + ".destination", $"mkdir {dest}", a.Str(RootfsCompiler.InRoot(dest)), 1);
        MountTargetStep.Emit(p, field, $"mount tmpfs on {dest}", a.Str("tmpfs"), a.Str("tmpfs"),
            (long)(Ms.NoSuid | Ms.NoExec | Ms.NoDev), a.Str("mode=755"));
        foreach (var (controller, hostPath) in paths.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (controller.Length == 0) continue; // the hybrid unified mount
            string sub = dest + "/" + MountDirName(controller);
            string rel = RootfsCompiler.InRoot(sub);
            PrepareTargetStep.Emit(p, field, $"mkdir {sub}", a.Str(rel), 1);
            if (ownNamespace)
            {
                MountTargetStep.Emit(p, field, $"mount cgroup {controller} on {sub}", a.Str("cgroup"), a.Str("cgroup"),
                    (long)(Ms.NoSuid | Ms.NoExec | Ms.NoDev), a.Str(controller));
            }
            else
            {
                BindTargetStep.Emit(p, field, $"bind {hostPath} on {sub}", a.Str(hostPath), 0);
            }
            RemountTargetStep.Emit(p, field + ".options", $"remount {sub} {MountOptions.Describe(flags)}", (long)flags);
            foreach (var alias in controller.Split(','))
                if (alias != controller && !alias.StartsWith("name="))
                    SymlinkInRootStep.Emit(p, field, $"symlink {dest}/{alias} -> {controller}", a.Str(controller), a.Str(RootfsCompiler.InRoot(dest)), a.Str(alias));
        }
        if ((flags & Ms.RdOnly) != 0)
        {
            PrepareTargetStep.Emit(p, field, $"reopen {dest}", a.Str(RootfsCompiler.InRoot(dest)), 1);
            RemountTargetStep.Emit(p, field + ".options", $"remount {dest} read-only", (long)(Ms.RdOnly | Ms.NoSuid | Ms.NoExec | Ms.NoDev));
        }
    }

    /// <summary>The hierarchy's directory name under /sys/fs/cgroup ("cpu,cpuacct", "name=systemd" → "systemd").</summary>
    internal static string MountDirName(string controller) =>
        controller.StartsWith("name=") ? controller["name=".Length..] : controller;

    /// <summary>An earlier entry of mounts[] is also a cgroup mount on this destination.</summary>
    static bool StackedOnEarlierCgroupMount(CompileContext ctx, MountEntry m, string dest)
    {
        foreach (var earlier in ctx.Config.Mounts ?? new())
        {
            if (ReferenceEquals(earlier, m)) return false;
            if (earlier.Type is "cgroup" or "cgroup2" && earlier.Destination is { } d && RootfsCompiler.Clean(d) == dest) return true;
        }
        return false;
    }
}
