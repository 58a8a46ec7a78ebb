using CsRun.Linux;

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
    public bool Bind => (Flags & Ms.Bind) != 0;
    public bool Recursive => (Flags & Ms.Rec) != 0;

    // mount_setattr(2) MOUNT_ATTR_* values.
    const ulong AttrRdonly = 0x1, AttrNosuid = 0x2, AttrNodev = 0x4, AttrNoexec = 0x8;
    const ulong AttrNoatime = 0x10, AttrStrictatime = 0x20, AttrNodiratime = 0x80, AttrNosymfollow = 0x200000;
    const ulong AttrRelatime = 0;

    static readonly Dictionary<string, (bool Clear, ulong Flag)> FlagOptions = new()
    {
        ["defaults"] = (false, 0), ["ro"] = (false, Ms.RdOnly), ["rw"] = (true, Ms.RdOnly),
        ["suid"] = (true, Ms.NoSuid), ["nosuid"] = (false, Ms.NoSuid), ["dev"] = (true, Ms.NoDev),
        ["nodev"] = (false, Ms.NoDev), ["exec"] = (true, Ms.NoExec), ["noexec"] = (false, Ms.NoExec),
        ["sync"] = (false, Ms.Synchronous), ["async"] = (true, Ms.Synchronous), ["dirsync"] = (false, Ms.DirSync),
        ["remount"] = (false, Ms.Remount), ["mand"] = (false, Ms.Mandlock), ["nomand"] = (true, Ms.Mandlock),
        ["atime"] = (true, Ms.NoAtime), ["noatime"] = (false, Ms.NoAtime), ["diratime"] = (true, Ms.NoDirAtime),
        ["nodiratime"] = (false, Ms.NoDirAtime), ["bind"] = (false, Ms.Bind), ["rbind"] = (false, Ms.Bind | Ms.Rec),
        ["relatime"] = (false, Ms.RelAtime), ["norelatime"] = (true, Ms.RelAtime),
        ["strictatime"] = (false, Ms.StrictAtime), ["nostrictatime"] = (true, Ms.StrictAtime),
        ["lazytime"] = (false, Ms.LazyTime), ["nolazytime"] = (true, Ms.LazyTime),
        ["iversion"] = (false, Ms.IVersion), ["noiversion"] = (true, Ms.IVersion),
        ["symfollow"] = (true, Ms.NoSymFollow), ["nosymfollow"] = (false, Ms.NoSymFollow),
    };

    static readonly Dictionary<string, ulong> PropagationOptions = new()
    {
        ["private"] = Ms.Private, ["rprivate"] = Ms.Private | Ms.Rec, ["shared"] = Ms.Shared,
        ["rshared"] = Ms.Shared | Ms.Rec, ["slave"] = Ms.Slave, ["rslave"] = Ms.Slave | Ms.Rec,
        ["unbindable"] = Ms.Unbindable, ["runbindable"] = Ms.Unbindable | Ms.Rec,
    };

    static readonly Dictionary<string, (bool Clear, ulong Attr)> RecursiveOptions = new()
    {
        ["rro"] = (false, AttrRdonly), ["rrw"] = (true, AttrRdonly), ["rnosuid"] = (false, AttrNosuid),
        ["rsuid"] = (true, AttrNosuid), ["rnodev"] = (false, AttrNodev), ["rdev"] = (true, AttrNodev),
        ["rnoexec"] = (false, AttrNoexec), ["rexec"] = (true, AttrNoexec), ["rnoatime"] = (false, AttrNoatime),
        ["ratime"] = (true, AttrNoatime), ["rnodiratime"] = (false, AttrNodiratime), ["rdiratime"] = (true, AttrNodiratime),
        ["rrelatime"] = (false, AttrRelatime), ["rnorelatime"] = (true, AttrRelatime),
        ["rstrictatime"] = (false, AttrStrictatime), ["rnostrictatime"] = (true, AttrStrictatime),
        ["rnosymfollow"] = (false, AttrNosymfollow), ["rsymfollow"] = (true, AttrNosymfollow),
    };

    /// <summary>Options runc accepts but that need no mount(2) flag here.</summary>
    static readonly HashSet<string> Ignored = new() { "tmpcopyup", "idmap", "ridmap", "copy-symlink", "x-mount.mkdir" };

    /// <summary>Every option name csrun understands (for `csrun features`).</summary>
    public static IEnumerable<string> Known =>
        FlagOptions.Keys.Concat(PropagationOptions.Keys).Concat(RecursiveOptions.Keys).Concat(Ignored).OrderBy(n => n, StringComparer.Ordinal);

    public static MountOptions Parse(IEnumerable<string>? options)
    {
        ulong flags = 0, propagation = 0, set = 0, clear = 0;
        var data = new List<string>();
        foreach (var o in options ?? Enumerable.Empty<string>())
        {
            if (FlagOptions.TryGetValue(o, out var f))
            {
                if (f.Clear) flags &= ~f.Flag; else flags |= f.Flag;
            }
            else if (PropagationOptions.TryGetValue(o, out var p)) propagation |= p;
            else if (RecursiveOptions.TryGetValue(o, out var r))
            {
                if (r.Clear) { clear |= r.Attr; set &= ~r.Attr; } else { set |= r.Attr; clear &= ~r.Attr; }
                if (o is "rrelatime" or "rnoatime" or "rstrictatime" or "ratime" or "rnorelatime" or "rnostrictatime")
                    clear |= 0x70; // MOUNT_ATTR__ATIME: the atime mode is one field
            }
            else if (!Ignored.Contains(o) && !o.StartsWith("x-")) data.Add(o);
        }
        return new MountOptions
        {
            Flags = flags, Propagation = propagation, RecursiveSet = set, RecursiveClear = clear,
            Data = string.Join(",", data),
        };
    }

    /// <summary>Readable flags for the plan: "nosuid|nodev|ro".</summary>
    public static string Describe(ulong flags)
    {
        var names = new List<string>();
        foreach (var (name, (clear, flag)) in FlagOptions)
            if (!clear && flag != 0 && (flags & flag) == flag && name is not "rbind" && !(name == "bind" && (flags & Ms.Rec) != 0)) names.Add(name);
        if ((flags & Ms.Bind) != 0 && (flags & Ms.Rec) != 0) names.Add("rbind");
        if ((flags & Ms.Remount) != 0 && !names.Contains("remount")) names.Add("remount");
        foreach (var (name, p) in PropagationOptions) if (p == (flags & (Ms.PropagationMask | Ms.Rec)) && (flags & Ms.PropagationMask) != 0) names.Add(name);
        return names.Count == 0 ? "0" : string.Join("|", names.Distinct());
    }
}
