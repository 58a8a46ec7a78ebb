using CsRun.Diagnostics;
using CsRun.Errors;


namespace CsRun.Cgroups;

/// <summary>
/// What create checks of a cgroup that may exist already (linux.cgroupsPath names one), before
/// anything joins it, as runc 1.1.5's factory does: processes in it are a warning, a freeze an
/// error. A process joining a frozen cgroup stops at once, so create would wait for it for ever;
/// runc only looks at the cgroup's own freezer.state, csrun also at the nearest ancestor that
/// exists (a cgroup made under a frozen parent is frozen too).
/// </summary>
internal static class CgroupPrecheck
{
    public static void Check(ICgroupManager cgroup)
    {
        if (FrozenAt(cgroup.Paths) is string frozen)
            throw new RuntimeError($"container's cgroup unexpectedly frozen: {frozen}");
        int count = cgroup.Pids().Count;
        if (count > 0) Log.Warn($"container's cgroup is not empty: {count} process(es) found");
    }

    /// <summary>The file that says frozen, with what it says; null when nothing is frozen.</summary>
    static string? FrozenAt(IReadOnlyDictionary<string, string> paths)
    {
        if (paths.TryGetValue("freezer", out string? v1) && NearestExisting(v1) is string d1
            && CgroupFiles.TryRead(d1, "freezer.state")?.Trim() is { } state && state is "FROZEN" or "FREEZING")
            return $"{CgroupFiles.PathOf(d1, "freezer.state")} is {state}";
        if (paths.TryGetValue(CgroupLayout.Unified, out string? v2) && NearestExisting(v2) is string d2)
        {
            // cgroup.events says "frozen 1" for a freeze through an ancestor too; cgroup.freeze
            // is this cgroup's own request, set before the freeze completes.
            if (CgroupFiles.TryRead(d2, "cgroup.freeze")?.Trim() == "1") return $"{CgroupFiles.PathOf(d2, "cgroup.freeze")} is 1";
            if (CgroupFiles.TryRead(d2, "cgroup.events") is string events && StatParsers.KeyValues(events).GetValueOrDefault("frozen") == 1)
                return $"{CgroupFiles.PathOf(d2, "cgroup.events")} says frozen 1";
        }
        return null;
    }

    /// <summary>The directory itself or its closest existing parent (a hierarchy's root has no freezer files).</summary>
    static string? NearestExisting(string dir)
    {
        for (string? d = dir; !string.IsNullOrEmpty(d); d = Path.GetDirectoryName(d))
            if (CgroupDirs.Exists(d)) return d;
        return null;
    }
}
