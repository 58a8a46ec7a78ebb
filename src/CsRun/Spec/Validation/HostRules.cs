using CsRun.Linux;

namespace CsRun.Spec.Validation;

/// <summary>The rules that ask the host: the rootfs is a directory, namespace files exist and
/// the kernel has the namespaces asked for, and a joined network namespace that net.* sysctls
/// would write to is not the one csrun runs in.</summary>
internal static class HostRules
{
    /// <summary>Namespace types the kernel may lack, and the file that shows it has them.</summary>
    static readonly (string Type, string Probe)[] Optional =
    {
        ("user", "/proc/self/ns/user"), ("cgroup", "/proc/self/ns/cgroup"), ("time", "/proc/self/timens_offsets"),
    };

    public static void Validate(Context ctx)
    {
        string root = ctx.Config.Root!.Path;
        string full = root[0] == '/' ? root : Path.Combine(ctx.BundleDir, root);
        int errno = Files.Stat(full, out var id);
        if (errno != 0) throw Check.Fail("root.path", $"stat {full}: {Errno.Message(errno)}");
        if (!id.IsDirectory) throw Check.Fail("root.path", $"{full} is not a directory");

        var ns = ctx.Linux.Namespaces ?? new List<Namespace>();
        for (int i = 0; i < ns.Count; i++)
        {
            if (!string.IsNullOrEmpty(ns[i].Path) && Files.Stat(ns[i].Path!, out _) is var e and not 0)
                throw Check.Fail($"linux.namespaces[{i}].path", $"stat {ns[i].Path}: {Errno.Message(e)}");
            foreach (var (type, probe) in Optional)
                if (ns[i].Type == type && Files.Stat(probe, out _) != 0)
                    throw Check.Fail($"linux.namespaces[{i}].type", $"{type} namespaces aren't enabled in the kernel");
        }

        NetSysctlsOffHost(ctx);
        IntelRdt(ctx);
    }

    /// <summary>config-linux.md: without a mounted resctrl the runtime MUST error. csrun does
    /// not make resctrl groups where there is one either, and says so rather than ignore it.</summary>
    static void IntelRdt(Context ctx)
    {
        if (ctx.Linux.IntelRdt == null) return;
        if (Resctrl.MountPoint() == null)
            throw Check.Fail("linux.intelRdt", "resctrl is not mounted (Intel RDT is not enabled on this host)");
        throw Check.Fail("linux.intelRdt", "not supported by csrun: it does not manage resctrl groups");
    }

    static void NetSysctlsOffHost(Context ctx)
    {
        string? netns = ctx.JoinPath("network");
        if (netns == null || ctx.Linux.Sysctl == null) return;
        string? key = ctx.Linux.Sysctl.Keys.FirstOrDefault(k => SysctlRules.Dotted(k).StartsWith("net.", StringComparison.Ordinal));
        if (key == null) return;
        if (Files.Stat("/proc/self/ns/net", out var mine) != 0 || Files.Stat(netns, out var theirs) != 0) return;
        if (mine.Dev == theirs.Dev && mine.Ino == theirs.Ino)
            throw Check.Fail(Check.Key("linux.sysctl", key), $"must not be set in the host's network namespace ({netns})");
    }
}
