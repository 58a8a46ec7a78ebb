namespace CsRun.Spec.Validation;

/// <summary>linux.namespaces and what needs one: id mappings, time offsets, masked paths,
/// network devices.</summary>
internal static class NamespaceRules
{
    // The kernel reads at most 340 lines from uid_map and gid_map (since 4.15).
    const int MaxMappings = 340;

    public static void Validate(Context ctx)
    {
        var l = ctx.Linux;
        var ns = l.Namespaces;
        if (ns != null)
        {
            for (int i = 0; i < ns.Count; i++)
            {
                Check.OneOf(ns[i].Type, SpecNames.Namespaces.Keys, $"linux.namespaces[{i}].type");
                if (!string.IsNullOrEmpty(ns[i].Path)) Check.Absolute(ns[i].Path, $"linux.namespaces[{i}].path");
            }
            Check.Unique(ns, n => n.Type, "linux.namespaces", "type");
        }

        UserNamespace(ctx);
        TimeNamespace(ctx);

        if (l.MaskedPaths?.Count > 0 && !ctx.Has("mount")) throw Check.Fail("linux.maskedPaths", Context.Needs("mount"));
        if (l.ReadonlyPaths?.Count > 0 && !ctx.Has("mount")) throw Check.Fail("linux.readonlyPaths", Context.Needs("mount"));
        if (l.NetDevices?.Count > 0 && !ctx.Has("network")) throw Check.Fail("linux.netDevices", Context.Needs("network"));
    }

    static void UserNamespace(Context ctx)
    {
        var l = ctx.Linux;
        bool hasMaps = l.UidMappings != null || l.GidMappings != null;
        int user = ctx.IndexOf("user");
        if (user < 0)
        {
            if (l.UidMappings != null) throw Check.Fail("linux.uidMappings", Context.Needs("user"));
            if (l.GidMappings != null) throw Check.Fail("linux.gidMappings", Context.Needs("user"));
            return;
        }
        // A new user namespace without maps leaves every id unmapped (runc refuses it too).
        if (ctx.JoinPath("user") == null && !hasMaps)
            throw Check.Fail($"linux.namespaces[{user}]", "a new user namespace needs linux.uidMappings or linux.gidMappings");
        Mappings(l.UidMappings, "linux.uidMappings");
        Mappings(l.GidMappings, "linux.gidMappings");
    }

    /// <summary>What the kernel accepts in uid_map/gid_map: non-empty ranges that fit in 32
    /// bits and overlap neither inside nor outside the namespace.</summary>
    public static void Mappings(List<IdMapping>? maps, string path)
    {
        if (maps == null) return;
        if (maps.Count > MaxMappings) throw Check.Fail(path, $"must have at most {MaxMappings} entries (got {maps.Count})");
        for (int i = 0; i < maps.Count; i++)
        {
            var m = maps[i];
            if (m.Size == 0) throw Check.Fail($"{path}[{i}].size", "must be greater than 0");
            if ((ulong)m.ContainerId + m.Size > 1UL << 32) throw Check.Fail($"{path}[{i}]", "containerID + size must not exceed 4294967296");
            if ((ulong)m.HostId + m.Size > 1UL << 32) throw Check.Fail($"{path}[{i}]", "hostID + size must not exceed 4294967296");
            for (int j = 0; j < i; j++)
            {
                if (Overlap(m.ContainerId, maps[j].ContainerId, m.Size, maps[j].Size))
                    throw Check.Fail($"{path}[{i}]", $"container ids overlap {path}[{j}]");
                if (Overlap(m.HostId, maps[j].HostId, m.Size, maps[j].Size))
                    throw Check.Fail($"{path}[{i}]", $"host ids overlap {path}[{j}]");
            }
        }
    }

    static bool Overlap(uint a, uint b, uint sizeA, uint sizeB) => (ulong)a < (ulong)b + sizeB && (ulong)b < (ulong)a + sizeA;

    static void TimeNamespace(Context ctx)
    {
        var offsets = ctx.Linux.TimeOffsets;
        if (offsets == null) return;
        if (!ctx.Has("time")) throw Check.Fail("linux.timeOffsets", Context.Needs("time"));
        // Offsets can only be written into a namespace no process has entered yet.
        if (ctx.JoinPath("time") != null)
            throw Check.Fail("linux.timeOffsets", $"must not be set when joining a time namespace (linux.namespaces[{ctx.IndexOf("time")}].path)");
        foreach (var (clock, offset) in offsets)
        {
            string at = Check.Key("linux.timeOffsets", clock);
            Check.OneOf(clock, SpecNames.TimeClocks, at);
            if (offset.Nanosecs >= 1_000_000_000) throw Check.Fail($"{at}.nanosecs", "must be less than 1000000000");
        }
    }
}
