using CsRun.Errors;


namespace CsRun.Cgroups.Systemd;

/// <summary>
/// The unit a container gets under --systemd-cgroup, from linux.cgroupsPath "slice:prefix:name"
/// as runc reads it: the scope "prefix-name.scope" in the slice (a name ending in ".slice" is
/// made a slice unit instead). An empty slice is system.slice (user.slice for a rootless
/// container in the user's manager); no cgroupsPath at all is "system.slice:csrun:ID" (runc's
/// is "system.slice:runc:ID").
/// </summary>
internal sealed record SystemdUnit(string Slice, string Prefix, string Name)
{
    const string Field = "linux.cgroupsPath";
    public const string DefaultSlice = "system.slice", UserSlice = "user.slice", DefaultPrefix = "csrun";

    public static SystemdUnit Parse(string id, string? cgroupsPath, string defaultSlice = DefaultSlice)
    {
        if (string.IsNullOrEmpty(cgroupsPath)) return Checked(new SystemdUnit(defaultSlice, DefaultPrefix, id), id);
        string[] parts = cgroupsPath.Split(':');
        if (parts.Length != 3)
            throw new RuntimeError($"{Field}: expected cgroupsPath to be of format \"slice:prefix:name\" for systemd cgroups, got \"{cgroupsPath}\" instead");
        return Checked(new SystemdUnit(parts[0].Length == 0 ? defaultSlice : parts[0], parts[1], parts[2]), cgroupsPath);
    }

    static SystemdUnit Checked(SystemdUnit u, string given)
    {
        if (u.Name.Length == 0) throw new RuntimeError($"{Field}: {given}: the unit name is empty");
        ExpandSlice(u.Slice);
        string unit = u.UnitName;
        // systemd's unit_name_is_valid: at most 255 characters of [A-Za-z0-9:_.\-\\].
        if (unit.Length > 255 || unit.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is ':' or '_' or '.' or '-' or '\\')))
            throw new RuntimeError($"{Field}: {given}: \"{unit}\" is not a valid systemd unit name");
        return u;
    }

    public bool IsSlice => Name.EndsWith(".slice", StringComparison.Ordinal);

    /// <summary>"prefix-name.scope", or the name itself for a slice.</summary>
    public string UnitName => IsSlice ? Name : $"{Prefix}-{Name}.scope";

    /// <summary>The unit's cgroup directory on the unified hierarchy mounted at mountPoint.</summary>
    public string CgroupDir(string mountPoint)
    {
        string slice = ExpandSlice(Slice);
        return mountPoint.TrimEnd('/') + (slice == "/" ? "" : slice) + "/" + UnitName;
    }

    /// <summary>
    /// A slice's cgroup path: "-" nests, so a-b-c.slice is /a.slice/a-b.slice/a-b-c.slice;
    /// "-.slice" is the root. runc's rules: a name ending in ".slice", no "/", no empty part.
    /// </summary>
    public static string ExpandSlice(string slice)
    {
        const string suffix = ".slice";
        if (slice.Length <= suffix.Length || !slice.EndsWith(suffix, StringComparison.Ordinal) || slice.Contains('/'))
            throw new RuntimeError($"{Field}: invalid slice name: {slice}");
        string name = slice[..^suffix.Length];
        if (name == "-") return "/";
        string path = "", prefix = "";
        foreach (string part in name.Split('-'))
        {
            if (part.Length == 0) throw new RuntimeError($"{Field}: invalid slice name: {slice}");
            path += "/" + prefix + part + suffix;
            prefix += part + "-";
        }
        return path;
    }
}
