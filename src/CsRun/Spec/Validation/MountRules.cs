using CsRun.Diagnostics;

namespace CsRun.Spec.Validation;

/// <summary>mounts[]: config.md's rules and runc 1.2's (id-mapped mounts are bind mounts, with both
/// maps or a user namespace to borrow them from). Filesystem data on a bind mount is accepted, as
/// runc does: the kernel ignores it.</summary>
internal static class MountRules
{
    public static void Validate(Context ctx)
    {
        var mounts = ctx.Config.Mounts;
        if (mounts == null) return;
        for (int i = 0; i < mounts.Count; i++)
        {
            var m = mounts[i];
            string at = $"mounts[{i}]";
            // config.md (1.2+): a relative destination is deprecated but allowed, "relative
            // to /"; the mount compiler cleans every destination against "/". runc warns too.
            if (string.IsNullOrEmpty(m.Destination)) throw Check.Fail($"{at}.destination", "must be set");
            if (m.Destination[0] != '/')
                Log.Warn($"{at}.destination: \"{m.Destination}\" is relative: taken as relative to \"/\" (deprecated)");
            Check.NoNul(m.Destination, $"{at}.destination");
            Check.NoNul(m.Source, $"{at}.source");
            Check.NoNul(m.Type, $"{at}.type");

            bool bind = KnownMountOptions.IsBind(m.Options);

            if (m.Options != null && m.Options.Contains("tmpcopyup") && (bind || m.Type != "tmpfs"))
                throw Check.Fail($"{at}.options", "tmpcopyup applies only to a tmpfs mount (type \"tmpfs\", not a bind)");

            if (IsIdMapped(m)) IdMapped(ctx, m, at, bind, m.UidMappings != null || m.GidMappings != null);
        }
    }

    /// <summary>idmap, ridmap, or maps of its own (runc 1.2: maps alone mean idmap).</summary>
    public static bool IsIdMapped(MountEntry m) =>
        m.UidMappings != null || m.GidMappings != null
        || (m.Options != null && m.Options.Any(o => KnownMountOptions.TryGet(o, out var meaning) && meaning.Kind == MountOptionKind.IdMap));

    static void IdMapped(Context ctx, MountEntry m, string at, bool bind, bool hasMaps)
    {
        if (!bind) throw Check.Fail(at, "an id-mapped mount must be a bind mount");
        if (hasMaps)
        {
            if (m.UidMappings == null || m.UidMappings.Count == 0) throw Check.Fail($"{at}.uidMappings", "must be set along with gidMappings");
            if (m.GidMappings == null || m.GidMappings.Count == 0) throw Check.Fail($"{at}.gidMappings", "must be set along with uidMappings");
            NamespaceRules.Mappings(m.UidMappings, $"{at}.uidMappings");
            NamespaceRules.Mappings(m.GidMappings, $"{at}.gidMappings");
            FitsOneWrite(m.UidMappings, $"{at}.uidMappings");
            FitsOneWrite(m.GidMappings, $"{at}.gidMappings");
        }
        else if (!ctx.Has("user"))
        {
            // idmap without maps borrows the container's user namespace maps (config.md).
            throw Check.Fail($"{at}.options", "idmap needs uidMappings and gidMappings or a user namespace");
        }
    }

    /// <summary>The helper's uid_map/gid_map take the maps in one write of less than a page.</summary>
    static void FitsOneWrite(List<IdMapping> maps, string path)
    {
        int bytes = maps.Sum(x => $"{x.ContainerId} {x.HostId} {x.Size}\n".Length);
        if (bytes >= 4096) throw Check.Fail(path, $"takes {bytes} bytes as a uid_map/gid_map text; the kernel takes less than 4096");
    }
}
