using CsRun.Linux;

namespace CsRun.Spec;

/// <summary>What a mounts[].options entry does; anything not in the table is filesystem data.</summary>
public enum MountOptionKind
{
    /// <summary>Sets a mount(2) flag (ro, nosuid, bind).</summary>
    SetFlag,
    /// <summary>Clears a mount(2) flag (rw, suid, dev).</summary>
    ClearFlag,
    /// <summary>A propagation type applied after the mount (rprivate, shared).</summary>
    Propagation,
    /// <summary>Sets a mount_setattr(2) attribute on the whole tree (rro, rnosuid).</summary>
    SetRecursiveAttr,
    /// <summary>Clears a mount_setattr(2) attribute on the whole tree (rrw, rsuid).</summary>
    ClearRecursiveAttr,
    /// <summary>Copy the destination's contents into the new tmpfs (tmpcopyup).</summary>
    CopyUp,
    /// <summary>An id-mapped mount (idmap, ridmap for the whole tree).</summary>
    IdMap,
}

public readonly record struct MountOption(MountOptionKind Kind, ulong Value);

/// <summary>The mount options config.md lists, plus runc's extensions (r* attributes,
/// tmpcopyup, idmap), with their flags.</summary>
public static class KnownMountOptions
{
    // mount_setattr(2) attributes (linux/mount.h).
    const ulong AttrRdOnly = 0x1, AttrNoSuid = 0x2, AttrNoDev = 0x4, AttrNoExec = 0x8, AttrRelAtime = 0x0;
    const ulong AttrNoAtime = 0x10, AttrStrictAtime = 0x20, AttrNoDirAtime = 0x80, AttrNoSymFollow = 0x200000;

    static readonly Dictionary<string, MountOption> Table = new()
    {
        ["async"] = Clear(Ms.Synchronous), ["atime"] = Clear(Ms.NoAtime), ["bind"] = Set(Ms.Bind),
        ["defaults"] = Set(0), ["dev"] = Clear(Ms.NoDev), ["diratime"] = Clear(Ms.NoDirAtime),
        ["dirsync"] = Set(Ms.DirSync), ["exec"] = Clear(Ms.NoExec), ["iversion"] = Set(Ms.IVersion),
        ["lazytime"] = Set(Ms.LazyTime), ["loud"] = Clear(Ms.Silent), ["mand"] = Set(Ms.Mandlock),
        ["noatime"] = Set(Ms.NoAtime), ["nodev"] = Set(Ms.NoDev), ["nodiratime"] = Set(Ms.NoDirAtime),
        ["noexec"] = Set(Ms.NoExec), ["noiversion"] = Clear(Ms.IVersion), ["nolazytime"] = Clear(Ms.LazyTime),
        ["nomand"] = Clear(Ms.Mandlock), ["norelatime"] = Clear(Ms.RelAtime), ["nostrictatime"] = Clear(Ms.StrictAtime),
        ["nosuid"] = Set(Ms.NoSuid), ["nosymfollow"] = Set(Ms.NoSymFollow), ["rbind"] = Set(Ms.Bind | Ms.Rec),
        ["relatime"] = Set(Ms.RelAtime), ["remount"] = Set(Ms.Remount), ["ro"] = Set(Ms.RdOnly),
        ["rw"] = Clear(Ms.RdOnly), ["silent"] = Set(Ms.Silent), ["strictatime"] = Set(Ms.StrictAtime),
        ["suid"] = Clear(Ms.NoSuid), ["sync"] = Set(Ms.Synchronous), ["symfollow"] = Clear(Ms.NoSymFollow),

        ["rro"] = SetR(AttrRdOnly), ["rrw"] = ClearR(AttrRdOnly), ["rnosuid"] = SetR(AttrNoSuid),
        ["rsuid"] = ClearR(AttrNoSuid), ["rnodev"] = SetR(AttrNoDev), ["rdev"] = ClearR(AttrNoDev),
        ["rnoexec"] = SetR(AttrNoExec), ["rexec"] = ClearR(AttrNoExec), ["rnodiratime"] = SetR(AttrNoDirAtime),
        ["rdiratime"] = ClearR(AttrNoDirAtime), ["rrelatime"] = SetR(AttrRelAtime), ["rnorelatime"] = ClearR(AttrRelAtime),
        ["rnoatime"] = SetR(AttrNoAtime), ["ratime"] = ClearR(AttrNoAtime), ["rstrictatime"] = SetR(AttrStrictAtime),
        ["rnostrictatime"] = ClearR(AttrStrictAtime), ["rnosymfollow"] = SetR(AttrNoSymFollow),
        ["rsymfollow"] = ClearR(AttrNoSymFollow),

        ["tmpcopyup"] = new(MountOptionKind.CopyUp, 0),
        ["idmap"] = new(MountOptionKind.IdMap, 0),
        ["ridmap"] = new(MountOptionKind.IdMap, 1),
    };

    static KnownMountOptions()
    {
        foreach (var (name, flags) in SpecNames.Propagations) Table[name] = new(MountOptionKind.Propagation, flags);
    }

    /// <summary>Every option name in the table, sorted.</summary>
    public static IEnumerable<string> Names => Table.Keys.OrderBy(n => n, StringComparer.Ordinal);

    /// <summary>False for filesystem data ("mode=755", "size=64k"), passed on to mount(2) as is.</summary>
    public static bool TryGet(string option, out MountOption meaning) => Table.TryGetValue(option, out meaning);

    /// <summary>Whether the options make this a bind mount (then type is meaningless).</summary>
    public static bool IsBind(IEnumerable<string>? options) =>
        options != null && options.Any(o => TryGet(o, out var m) && m.Kind == MountOptionKind.SetFlag && (m.Value & Ms.Bind) != 0);

    static MountOption Set(ulong flag) => new(MountOptionKind.SetFlag, flag);
    static MountOption Clear(ulong flag) => new(MountOptionKind.ClearFlag, flag);
    static MountOption SetR(ulong attr) => new(MountOptionKind.SetRecursiveAttr, attr);
    static MountOption ClearR(ulong attr) => new(MountOptionKind.ClearRecursiveAttr, attr);
}
