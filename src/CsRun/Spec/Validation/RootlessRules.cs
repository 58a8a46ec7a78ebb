namespace CsRun.Spec.Validation;

/// <summary>Not root on the host (runc's rootless.go): the container needs its own user
/// namespace, and every id it asks for must be mapped into it.</summary>
internal static class RootlessRules
{
    public static void Validate(Context ctx)
    {
        if (!ctx.Options.Rootless) return;
        var l = ctx.Linux;
        if (!ctx.Has("user")) throw Check.Fail("linux.namespaces", "a rootless container " + Context.Needs("user"));
        if (ctx.JoinPath("user") == null)
        {
            if (l.UidMappings is not { Count: > 0 }) throw Check.Fail("linux.uidMappings", "a rootless container needs at least one uid mapping");
            if (l.GidMappings is not { Count: > 0 }) throw Check.Fail("linux.gidMappings", "a rootless container needs at least one gid mapping");
        }
        if (l.NetDevices?.Count > 0) throw Check.Fail("linux.netDevices", "cannot be moved into a rootless container");

        var mounts = ctx.Config.Mounts;
        if (mounts == null) return;
        // A joined namespace's maps are not in the config: the kernel has the last word there.
        bool checkIds = ctx.JoinPath("user") == null;
        for (int i = 0; i < mounts.Count; i++)
        {
            if (MountRules.IsIdMapped(mounts[i]))
                throw Check.Fail($"mounts[{i}]", "id-mapped mounts are not supported for rootless containers");
            if (!checkIds) continue;
            foreach (var o in mounts[i].Options ?? new List<string>())
            {
                // A devpts or tmpfs "uid=5" must name an id the container's namespace maps.
                if (Id(o, "uid=") is uint uid && !Mapped(l.UidMappings, uid))
                    throw Check.Fail($"mounts[{i}].options", $"{o} is not mapped by linux.uidMappings");
                if (Id(o, "gid=") is uint gid && !Mapped(l.GidMappings, gid))
                    throw Check.Fail($"mounts[{i}].options", $"{o} is not mapped by linux.gidMappings");
            }
        }
    }

    static uint? Id(string option, string prefix) =>
        option.StartsWith(prefix, StringComparison.Ordinal) && uint.TryParse(option.AsSpan(prefix.Length), out uint id) ? id : null;

    static bool Mapped(List<IdMapping>? maps, uint id) =>
        maps != null && maps.Any(m => id >= m.ContainerId && (ulong)id < (ulong)m.ContainerId + m.Size);
}
