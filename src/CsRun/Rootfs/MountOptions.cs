using CsRun.Linux;
using CsRun.Spec;

namespace CsRun.Rootfs;

/// <summary>A mount's `options` split the way runc reads them: mount(2) flags, propagation,
/// recursive mount_setattr attributes (rro, rnosuid, …) and the rest as filesystem data.</summary>
internal sealed record MountOptions
{
    public ulong Flags { get; init; }
    public ulong Propagation { get; init; }
    public ulong RecursiveSet { get; init; }
    public ulong RecursiveClear { get; init; }
    public string Data { get; init; } = "";
    /// <summary>tmpcopyup: fill the new tmpfs with what the directory held.</summary>
    public bool CopyUp { get; init; }
    /// <summary>idmap (false) or ridmap (true); null when neither is given.</summary>
    public bool? IdmapRecursive { get; init; }
    public bool Bind => (Flags & Ms.Bind) != 0;
    public bool Recursive => (Flags & Ms.Rec) != 0;

    /// <summary>Every option name csrun applies (for `csrun features`).</summary>
    public static IEnumerable<string> Known => KnownMountOptions.Names;

    const ulong AtimeAttrs = 0x70; // MOUNT_ATTR__ATIME: relatime, noatime, strictatime are one field

    /// <summary>Interpret the options through the spec layer's table (the one validation uses).</summary>
    public static MountOptions Parse(IEnumerable<string>? options)
    {
        ulong flags = 0, propagation = 0, set = 0, clear = 0;
        bool copyUp = false;
        bool? idmapRecursive = null;
        var data = new List<string>();
        foreach (var o in options ?? Enumerable.Empty<string>())
        {
            if (!KnownMountOptions.TryGet(o, out var m))
            {
                if (!o.StartsWith("x-")) data.Add(o);
                continue;
            }
            bool atime = o is "rrelatime" or "rnorelatime" or "rnoatime" or "ratime" or "rstrictatime" or "rnostrictatime";
            switch (m.Kind)
            {
                case MountOptionKind.SetFlag: flags |= m.Value; break;
                case MountOptionKind.ClearFlag: flags &= ~m.Value; break;
                case MountOptionKind.Propagation: propagation |= m.Value; break;
                case MountOptionKind.SetRecursiveAttr: set |= m.Value; clear &= ~m.Value; if (atime) clear |= AtimeAttrs; break;
                case MountOptionKind.ClearRecursiveAttr: clear |= m.Value; set &= ~m.Value; if (atime) clear |= AtimeAttrs; break;
                case MountOptionKind.CopyUp: copyUp = true; break;
                case MountOptionKind.IdMap: idmapRecursive = (idmapRecursive ?? false) | m.Value != 0; break;
            }
        }
        return new MountOptions
        {
            Flags = flags, Propagation = propagation, RecursiveSet = set, RecursiveClear = clear,
            Data = string.Join(",", data), CopyUp = copyUp, IdmapRecursive = idmapRecursive,
        };
    }

    static readonly (string Name, ulong Flag)[] Readable =
    {
        ("ro", Ms.RdOnly), ("nosuid", Ms.NoSuid), ("nodev", Ms.NoDev), ("noexec", Ms.NoExec), ("sync", Ms.Synchronous),
        ("remount", Ms.Remount), ("mand", Ms.Mandlock), ("dirsync", Ms.DirSync), ("nosymfollow", Ms.NoSymFollow),
        ("noatime", Ms.NoAtime), ("nodiratime", Ms.NoDirAtime), ("relatime", Ms.RelAtime), ("strictatime", Ms.StrictAtime),
        ("lazytime", Ms.LazyTime), ("iversion", Ms.IVersion), ("silent", Ms.Silent),
        ("shared", Ms.Shared), ("slave", Ms.Slave), ("private", Ms.Private), ("unbindable", Ms.Unbindable),
    };

    /// <summary>Readable flags for the plan: "nosuid|nodev|ro".</summary>
    public static string Describe(ulong flags)
    {
        var names = new List<string>();
        if ((flags & Ms.Bind) != 0) names.Add((flags & Ms.Rec) != 0 ? "rbind" : "bind");
        else if ((flags & Ms.Rec) != 0 && (flags & Ms.PropagationMask) != 0) names.Add("rec");
        foreach (var (name, flag) in Readable) if ((flags & flag) != 0) names.Add(name);
        return names.Count == 0 ? "0" : string.Join("|", names);
    }
}
