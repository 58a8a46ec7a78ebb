using CsRun.Errors;
using CsRun.Launch;
using CsRun.Launch.Child;
using CsRun.Linux;
using CsRun.Spec;

namespace CsRun.Rootfs;

/// <summary>Compiles root, mounts, devices and /dev links: everything up to (not including) pivot_root.</summary>
internal static class RootfsCompiler
{
    public static void CompileMounts(SetupProgram p, CompileContext ctx)
    {
        var c = ctx.Config;
        var a = p.Arena;
        string rootfs = ctx.Rootfs;
        // The config's propagation from the start, as runc does: with rshared the volumes stay
        // peers of the host's mounts (Kubernetes' Bidirectional); unset, rslave.
        ulong rootProp = RootPropagation(c.Linux) ?? Ms.Slave | Ms.Rec;
        UmaskStep.Emit(p, "", "umask 0 while creating files", 0);
        MountHostStep.Emit(p, "linux.rootfsPropagation", rootProp == (Ms.Slave | Ms.Rec)
                ? "make / rec|slave so nothing propagates back to the host" : $"make / {MountOptions.Describe(rootProp)}",
            0, a.Str("/"), 0, (long)rootProp, 0);
        // rslave, rprivate or runbindable leave no mount shared; anything else may leave the
        // rootfs's own mount shared, which pivot_root refuses and the bind below would leak through.
        if ((rootProp & Ms.Rec) == 0 || (rootProp & Ms.Shared) != 0)
        {
            ulong parent = (rootProp & Ms.Slave) != 0 ? Ms.Slave : Ms.Private;
            IsolateRootfsMountStep.Emit(p, "linux.rootfsPropagation", $"make the mount holding {rootfs} {MountOptions.Describe(parent)}",
                a.Str(rootfs), (long)parent);
        }
        MountHostStep.Emit(p, "root.path", $"bind {rootfs} on itself",
            a.Str(rootfs), a.Str(rootfs), 0, (long)(Ms.Bind | Ms.Rec), 0);
        OpenRootStep.Emit(p, "root.path", $"open rootfs {rootfs}", a.Str(rootfs));

        var mounts = c.Mounts ?? new List<MountEntry>();
        string? label = LsmCompiler.MountLabel(ctx);
        // With a user namespace the host opens the bind sources (HostBindSources).
        Step? hostSources = HostBindSources.Apply(ctx) ? HostBindSources.Begin(p, mounts.Count) : null;
        for (int i = 0; i < mounts.Count; i++)
            CompileMount(p, ctx, mounts[i], $"mounts[{i}]", label, hostSources);
        if (hostSources != null) HostBindSources.Finish(p, hostSources);

        bool devBound = mounts.Any(m => Clean(m.Destination) == "/dev" && MountOptions.Parse(m.Options).Bind);
        if (!devBound) DeviceCompiler.Compile(p, ctx, mounts);
    }

    static void CompileMount(SetupProgram p, CompileContext ctx, MountEntry m, string field, string? mountLabel, Step? hostSources)
    {
        var a = p.Arena;
        string dest = Clean(m.Destination);
        string rel = InRoot(dest);
        var o = MountOptions.Parse(m.Options);
        string type = m.Type ?? "";
        if (type == "cgroup" || type == "cgroup2")
        {
            CgroupMountCompiler.Compile(p, ctx, m, field, o);
            return;
        }
        if (o.Bind)
        {
            string source = BindSource(ctx, m, field);
            bool dir = Directory.Exists(source);
            PrepareTargetStep.Emit(p, field + ".destination", $"{(dir ? "mkdir" : "touch")} {dest}", a.Str(rel), dir ? 1 : 0);
            if (IdmapMounts.Of(m, o, field, source, ctx.Rootfs) is { } idmap) IdmapMounts.Compile(p, hostSources, idmap, dest, o.Flags & Ms.Rec);
            else if (hostSources != null) HostBindSources.Bind(p, hostSources, field, source, dest, o.Flags & Ms.Rec);
            else BindTargetStep.Emit(p, field, $"bind {source} on {dest}{((o.Flags & Ms.Rec) != 0 ? " recursively" : "")}",
                a.Str(source), (long)(o.Flags & Ms.Rec));
            ulong rest = o.Flags & ~(Ms.Bind | Ms.Rec | Ms.Remount);
            if (rest != 0)
                RemountTargetStep.Emit(p, field + ".options", $"remount {dest} {MountOptions.Describe(rest)}", (long)rest);
        }
        else
        {
            // proc, sysfs and /dev must land on a real directory: a symlink there in the image
            // could aim them somewhere else (CVE-2019-19921, CVE-2026-41579).
            int mode = type is "proc" or "sysfs" || dest == "/dev" ? ChildFs.TargetRealDirectory : ChildFs.TargetDirectory;
            PrepareTargetStep.Emit(p, field + ".destination", $"mkdir {dest}", a.Str(rel), mode);
            string source = string.IsNullOrEmpty(m.Source) ? type : m.Source;
            // proc, sysfs and cgroup take no context= option; filesystems like tmpfs do.
            string data = type is "proc" or "sysfs" or "mqueue" ? o.Data : LsmCompiler.WithMountLabel(o.Data, mountLabel);
            // A tmpfs given no mode= keeps the mode of the directory it covers (runc): the child
            // fills the slot, or skips it when it made the directory.
            bool coveredMode = type == "tmpfs" && !data.Split(',').Any(x => x.StartsWith("mode="));
            string shown = coveredMode ? "mode=<the covered directory's>" + (data.Length > 0 ? "," + data : "") : data;
            long dataPtr = coveredMode ? a.Str("mode=0000" + (data.Length > 0 ? "," + data : "")) : data.Length > 0 ? a.Str(data) : 0;
            // tmpcopyup (validation allows it on tmpfs only): the same mount, then the copy.
            // A read-only one is filled first and made read-only last (CompileLateReadOnly).
            ulong flags = LateReadOnly(m) ? o.Flags & ~Ms.RdOnly : o.Flags;
            MountTargetStep.Emit(p, field,
                $"mount {type} {source} on {dest} flags {MountOptions.Describe(flags)} data \"{shown}\"{(o.CopyUp ? $" and copy what {dest} held into it (tmpcopyup)" : "")}",
                a.Str(source), a.Str(type), (long)flags, dataPtr, coveredMode, copyUp: o.CopyUp);
        }
        CompileAttributes(p, field, dest, o);
    }

    /// <summary>
    /// A read-only tmpfs, or /dev, is mounted writable: device nodes, /dev/pts, a tmpcopyup's
    /// files or a nested mount's directory go in first. runc's finalizeRootfs remounts them
    /// read-only at the end, after the masked and read-only paths; so does CompileLateReadOnly.
    /// </summary>
    static bool LateReadOnly(MountEntry m) =>
        m.Type is not ("cgroup" or "cgroup2") && (m.Type == "tmpfs" || Clean(m.Destination) == "/dev")
        && MountOptions.Parse(m.Options) is { Bind: false } o && (o.Flags & Ms.RdOnly) != 0;

    static void CompileLateReadOnly(SetupProgram p, Config c)
    {
        var mounts = c.Mounts ?? new List<MountEntry>();
        for (int i = 0; i < mounts.Count; i++)
        {
            if (!LateReadOnly(mounts[i])) continue;
            string dest = Clean(mounts[i].Destination);
            ulong flags = MountOptions.Parse(mounts[i].Options).Flags & ~Ms.Remount;
            PrepareTargetStep.Emit(p, $"mounts[{i}].destination", $"open {dest}", p.Arena.Str(InRoot(dest)), ChildFs.TargetDirectory);
            RemountTargetStep.Emit(p, $"mounts[{i}].options", $"remount {dest} {MountOptions.Describe(flags)} now that what goes under it is there", (long)flags);
        }
    }

    internal static void CompileAttributes(SetupProgram p, string field, string dest, MountOptions o)
    {
        if (o.Propagation != 0)
        {
            foreach (ulong flag in new[] { Ms.Shared, Ms.Slave, Ms.Private, Ms.Unbindable })
                if ((o.Propagation & flag) != 0)
                {
                    ulong f = flag | (o.Propagation & Ms.Rec);
                    PropagateTargetStep.Emit(p, field + ".options", $"make {dest} {MountOptions.Describe(f)}", (long)f);
                }
        }
        if (o.RecursiveSet != 0 || o.RecursiveClear != 0)
            SetattrTargetStep.Emit(p, field + ".options", $"mount_setattr {dest} recursively set 0x{o.RecursiveSet:x} clear 0x{o.RecursiveClear:x}",
                (long)o.RecursiveSet, (long)o.RecursiveClear, 0);
    }

    static string BindSource(CompileContext ctx, MountEntry m, string field)
    {
        if (string.IsNullOrEmpty(m.Source)) throw new RuntimeError($"{field}.source: a bind mount needs a source");
        string source = Path.IsPathRooted(m.Source) ? m.Source : Path.GetFullPath(Path.Combine(ctx.BundleDir, m.Source));
        if (!File.Exists(source) && !Directory.Exists(source))
            throw new RuntimeError($"{field}.source: stat {source}: no such file or directory");
        return source;
    }

    /// <summary>Lexically clean an absolute path: "/a//b/../c/" → "/a/c".</summary>
    public static string Clean(string path)
    {
        var parts = new List<string>();
        foreach (var part in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == ".") continue;
            if (part == "..") { if (parts.Count > 0) parts.RemoveAt(parts.Count - 1); continue; }
            parts.Add(part);
        }
        return "/" + string.Join("/", parts);
    }

    /// <summary>A cleaned absolute path as the relative path openat2 takes from the rootfs fd.</summary>
    public static string InRoot(string cleanAbsolute) => cleanAbsolute == "/" ? "." : cleanAbsolute[1..];

    public static void CompileAfterPivot(SetupProgram p, CompileContext ctx)
    {
        var c = ctx.Config;
        var a = p.Arena;
        var linux = c.Linux;
        foreach (var (path, i) in (linux?.MaskedPaths ?? new()).Select((x, i) => (x, i)))
            MaskPathStep.Emit(p, $"linux.maskedPaths[{i}]", $"mask {path}", a.Str(Clean(path)));
        foreach (var (path, i) in (linux?.ReadonlyPaths ?? new()).Select((x, i) => (x, i)))
            ReadonlyPathStep.Emit(p, $"linux.readonlyPaths[{i}]", $"make {path} read-only", a.Str(Clean(path)));
        CompileLateReadOnly(p, c);
        if (c.Root?.Readonly == true)
            RemountRootStep.Emit(p, "root.readonly", "remount / read-only", (long)Ms.RdOnly);
        // The new root joins a peer group of its own (shared) or becomes unbindable; private and
        // slave were settled before the bind, and applying them again would undo what a mount's
        // own options asked (an rshared volume under an rslave root).
        if (RootPropagation(linux) is { } flag && (flag & (Ms.Shared | Ms.Unbindable)) != 0)
            MountHostStep.Emit(p, "linux.rootfsPropagation", $"make / {linux!.RootfsPropagation}", 0, a.Str("/"), 0, (long)flag, 0);
    }

    static ulong? RootPropagation(LinuxConfig? linux) =>
        string.IsNullOrEmpty(linux?.RootfsPropagation) ? null : MountOptions.Parse(new[] { linux.RootfsPropagation }).Propagation;
}
