using CsRun.Errors;
using CsRun.Launch;
using CsRun.Launch.Child;
using CsRun.Linux;
using CsRun.Spec;

namespace CsRun.Rootfs;

/// <summary>Device nodes (the defaults every container gets plus linux.devices) and the /dev links.</summary>
internal static class DeviceCompiler
{
    /// <summary>The nodes runc creates in every container.</summary>
    static readonly (string Path, long Major, long Minor)[] Defaults =
    {
        ("/dev/null", 1, 3), ("/dev/zero", 1, 5), ("/dev/full", 1, 7),
        ("/dev/random", 1, 8), ("/dev/urandom", 1, 9), ("/dev/tty", 5, 0),
    };

    public static void Compile(SetupProgram p, CompileContext ctx, List<MountEntry> mounts)
    {
        var devices = new List<(Device Device, string Field)>();
        foreach (var (path, major, minor) in Defaults)
            devices.Add((new Device { Type = "c", Path = path, Major = major, Minor = minor, FileMode = 0x1b6, Uid = 0, Gid = 0 }, "default device"));
        var configured = ctx.Config.Linux?.Devices ?? new List<Device>();
        for (int i = 0; i < configured.Count; i++)
        {
            devices.RemoveAll(d => d.Device.Path == configured[i].Path);
            devices.Add((configured[i], $"linux.devices[{i}]"));
        }
        // Device nodes go into /dev: refuse an image whose /dev is a symlink, wherever it points.
        PrepareTargetStep.Emit(p, "linux.devices", "check /dev is a real directory", p.Arena.Str("dev"), ChildFs.TargetRealDirectory);
        foreach (var (d, field) in devices) CompileDevice(p, ctx, d, field);

        var a = p.Arena;
        bool hasProc = mounts.Any(m => m.Type == "proc");
        bool hasPts = mounts.Any(m => RootfsCompiler.Clean(m.Destination) == "/dev/pts");
        var links = new List<(string Target, string Name)>
        {
            ("/proc/self/fd", "fd"), ("/proc/self/fd/0", "stdin"), ("/proc/self/fd/1", "stdout"), ("/proc/self/fd/2", "stderr"),
        };
        if (hasProc && File.Exists("/proc/kcore")) links.Add(("/proc/kcore", "core"));
        if (hasPts) links.Add(("pts/ptmx", "ptmx"));
        foreach (var (target, name) in links)
            SymlinkInRootStep.Emit(p, "", $"symlink /dev/{name} -> {target}", a.Str(target), a.Str("dev"), a.Str(name));
    }

    static void CompileDevice(SetupProgram p, CompileContext ctx, Device d, string field)
    {
        var a = p.Arena;
        string path = RootfsCompiler.Clean(d.Path);
        uint type = d.Type switch
        {
            "c" or "u" => S.IfChr,
            "b" => S.IfBlk,
            "p" => S.IfIfo,
            _ => throw new RuntimeError($"{field}.type: unknown device type \"{d.Type}\""),
        };
        if (ctx.InUserNamespace || CompileContext.CsrunInUserNamespace)
        {
            // mknod is not allowed in a user namespace, new, joined or csrun's own: bind the host's node instead, as runc does.
            if (type == S.IfIfo) throw new RuntimeError($"{field}: cannot create a fifo device in a user namespace");
            PrepareTargetStep.Emit(p, field + ".path", $"touch {path}", a.Str(RootfsCompiler.InRoot(path)), 0);
            BindTargetStep.Emit(p, field, $"bind host {path} on {path}", a.Str(path), 0);
            return;
        }
        string parent = Path.GetDirectoryName(path) ?? "/";
        string name = Path.GetFileName(path);
        uint mode = type | ((d.FileMode ?? 0x1b6) & 0xfff);
        long dev = MakeDev(d.Major, d.Minor);
        long owner = d.Uid == null && d.Gid == null ? -1 : ((long)(d.Uid ?? 0) << 32) | (d.Gid ?? 0);
        MknodInRootStep.Emit(p, field, $"mknod {path} {d.Type} {d.Major}:{d.Minor} mode 0{Convert.ToString(mode & 0xfff, 8)}",
            a.Str(RootfsCompiler.InRoot(parent)), a.Str(name), mode, dev, owner);
    }

    /// <summary>The kernel's dev_t encoding (glibc's makedev).</summary>
    public static long MakeDev(long major, long minor) =>
        (minor & 0xff) | ((major & 0xfff) << 8) | ((minor & ~0xffL) << 12) | ((major & ~0xfffL) << 32);
}
