using CsRun.Errors;


namespace CsRun.Spec.Validation;

/// <summary>The rest of linux: devices, propagation, personality, cgroupsPath, paths, network
/// devices, Intel RDT, memory policy.</summary>
internal static class LinuxRules
{
    static readonly System.Buffers.SearchValues<char> NotInIfName = System.Buffers.SearchValues.Create("/: ");

    // IFNAMSIZ less the NUL, as the kernel's dev_valid_name counts it; runc allows 16.
    const int MaxIfName = 16;
    // Type bits a tool may leave in fileMode (runc drops them) and the permission bits.
    const uint TypeBits = 0xF000, ModeBits = 0xFFF;

    public static void Validate(Context ctx)
    {
        var l = ctx.Linux;
        Devices(l.Devices);
        if (!string.IsNullOrEmpty(l.RootfsPropagation))
            Check.OneOf(l.RootfsPropagation, SpecNames.Propagations.Keys, "linux.rootfsPropagation");
        if (l.Personality != null)
        {
            Check.OneOf(l.Personality.Domain, SpecNames.PersonalityDomains.Keys, "linux.personality.domain");
            // config-linux.md: "Currently no flag values are supported"; runc 1.2 warns and drops them.
            if (l.Personality.Flags is { Count: > 0 } flags)
                throw new RuntimeError($"linux.personality.flags: \"{flags[0]}\" is not supported: the runtime-spec defines no personality flags");
        }
        CgroupsPath(l.CgroupsPath, ctx.Options.SystemdCgroup);
        Paths(l.MaskedPaths, "linux.maskedPaths");
        Paths(l.ReadonlyPaths, "linux.readonlyPaths");
        NetDevices(l.NetDevices);
        if (l.IntelRdt != null) IntelRdt(l.IntelRdt);
        if (l.MemoryPolicy != null) MemoryPolicy(l.MemoryPolicy);
    }

    static void Devices(List<Device>? devices)
    {
        if (devices == null) return;
        for (int i = 0; i < devices.Count; i++)
        {
            var d = devices[i];
            string at = $"linux.devices[{i}]";
            Check.OneOf(d.Type, SpecNames.DeviceTypes, $"{at}.type");
            Check.Absolute(d.Path, $"{at}.path");
            Check.NoNul(d.Path, $"{at}.path");
            if (d.FileMode is uint mode && (mode & ~(TypeBits | ModeBits)) != 0)
                throw Check.Fail($"{at}.fileMode", $"must be a permission mode such as 438 (0666) (got {mode})");
        }
    }

    static void CgroupsPath(string? path, bool systemd)
    {
        if (string.IsNullOrEmpty(path)) return;
        Check.NoNul(path, "linux.cgroupsPath");
        if (!systemd) return;
        // systemd's driver names a unit: slice:prefix:name, e.g. system.slice:docker:1234.
        var parts = path.Split(':');
        if (parts.Length != 3 || parts[2].Length == 0)
            throw Check.Fail("linux.cgroupsPath", $"must be slice:prefix:name with --systemd-cgroup (got \"{path}\")");
        if (parts[0].Length > 0 && !parts[0].EndsWith(".slice", StringComparison.Ordinal))
            throw Check.Fail("linux.cgroupsPath", $"must name a slice ending in .slice before the first ':' (got \"{parts[0]}\")");
    }

    static void Paths(List<string>? paths, string at)
    {
        if (paths == null) return;
        for (int i = 0; i < paths.Count; i++) Check.Absolute(paths[i], $"{at}[{i}]");
    }

    static void NetDevices(Dictionary<string, NetDevice>? devices)
    {
        if (devices == null) return;
        var names = new Dictionary<string, string>();
        foreach (var (name, dev) in devices)
        {
            string at = Check.Key("linux.netDevices", name);
            IfName(name, at);
            // A '%' makes a name a template to the kernel: no existing interface has one.
            if (name.Contains('%')) throw Check.Fail(at, $"must name an existing interface, not a template (got \"{name}\")");
            string final = string.IsNullOrEmpty(dev.Name) ? name : dev.Name;
            if (!string.IsNullOrEmpty(dev.Name)) IfName(dev.Name, $"{at}.name");
            // dev_alloc_name: one "%d" and no other '%'.
            int pct = final.IndexOf('%');
            if (pct >= 0 && (final.IndexOf("%d", StringComparison.Ordinal) != pct || final.IndexOf('%', pct + 1) >= 0))
                throw Check.Fail($"{at}.name", $"a template must have one %d and no other '%' (got \"{final}\")");
            if (pct < 0 && !names.TryAdd(final, at))
                throw Check.Fail(at, $"moves a second interface in as \"{final}\" (as {names[final]} does)");
        }
    }

    /// <summary>The kernel's dev_valid_name.</summary>
    static void IfName(string name, string at)
    {
        if (name.Length == 0 || name.Length > MaxIfName || name is "." or ".." || name.AsSpan().IndexOfAny(NotInIfName) >= 0)
            throw Check.Fail(at, $"must be a network interface name: 1 to {MaxIfName} characters, not . or .., without '/', ':' or ' ' (got \"{name}\")");
    }

    static void IntelRdt(IntelRdt rdt)
    {
        // closID names a directory under /sys/fs/resctrl; "/" alone means the default group.
        if (rdt.ClosId is "." or ".." || rdt.ClosId is { Length: > 1 } id && id.Contains('/'))
            throw Check.Fail("linux.intelRdt.closID", $"must be a directory name or \"/\" (got \"{rdt.ClosId}\")");
        if (rdt.L3CacheSchema?.Contains('\n') == true) throw Check.Fail("linux.intelRdt.l3CacheSchema", "must not contain newlines");
        if (rdt.MemBwSchema != null && (!rdt.MemBwSchema.StartsWith("MB:", StringComparison.Ordinal) || rdt.MemBwSchema.Contains('\n')))
            throw Check.Fail("linux.intelRdt.memBwSchema", "must start with MB: and not contain newlines");
    }

    /// <summary>runc's checks of set_mempolicy(2) arguments.</summary>
    static void MemoryPolicy(MemoryPolicy p)
    {
        const string at = "linux.memoryPolicy";
        Check.OneOf(p.Mode, SpecNames.MemoryPolicyModes.Keys, $"{at}.mode");
        Check.CpuList(p.Nodes, $"{at}.nodes");
        if (p.Flags != null)
            for (int i = 0; i < p.Flags.Count; i++) Check.OneOf(p.Flags[i], SpecNames.MemoryPolicyFlags.Keys, $"{at}.flags[{i}]");
        ulong nodes = Check.CountList(p.Nodes);
        if (p.Mode is "MPOL_DEFAULT" or "MPOL_LOCAL" && nodes != 0)
            throw Check.Fail($"{at}.nodes", $"must be empty for {p.Mode}");
        if (p.Mode is "MPOL_BIND" or "MPOL_INTERLEAVE" or "MPOL_PREFERRED_MANY" or "MPOL_WEIGHTED_INTERLEAVE" && nodes == 0)
            throw Check.Fail($"{at}.nodes", $"must name at least one node for {p.Mode}");
    }
}
