using CsRun.Linux;
using CsRun.Rootfs;
using CsRun.Spec;

namespace CsRun.Criu;

/// <summary>
/// The mounts whose source lies outside the container, which CRIU cannot dump and must be told
/// of (ext_mnt), as runc describes them: bind mounts, the cgroup binds (without a cgroup
/// namespace: one per v1 hierarchy, or the container's v2 cgroup, where runc mounts cgroup2
/// afresh), masked files (the container's /dev/null bound over them) and, in a user namespace,
/// the device nodes bound from the host. A dump names each by its destination; a
/// restore maps that name to the host source of the container being restored.
/// </summary>
internal static class ExternalMounts
{
    /// <summary>(destination in the container, host source).</summary>
    public static List<(string Dest, string Source)> Of(Config config, string bundle, IReadOnlyDictionary<string, string> cgroupPaths)
    {
        var list = new List<(string, string)>();
        // As CgroupMountCompiler decides: without a cgroup namespace of its own the container
        // gets binds of its cgroup directories, which on a systemd host are slaves of the host's
        // shared cgroup mount ("unreachable sharing" to CRIU) and name the old container's cgroup.
        bool ownCgroupNs = config.Linux?.Namespaces?.Any(n => n.Type == "cgroup" && string.IsNullOrEmpty(n.Path)) == true;
        bool unified = cgroupPaths.Count == 1 && cgroupPaths.ContainsKey("");
        bool userNs = config.Linux?.Namespaces?.Any(n => n.Type == "user") == true;
        foreach (var m in config.Mounts ?? new List<MountEntry>())
        {
            string dest = RootfsCompiler.Clean(m.Destination);
            if (m.Type == "bind" || KnownMountOptions.IsBind(m.Options))
                list.Add((dest, Path.GetFullPath(Path.Combine(bundle, m.Source ?? ""))));
            else if (m.Type == "cgroup" && !ownCgroupNs && unified)
                list.Add((dest, cgroupPaths[""]));
            else if (m.Type == "cgroup" && !ownCgroupNs)
            {
                foreach (var (controller, hostPath) in cgroupPaths)
                    if (controller.Length > 0)
                        list.Add((dest + "/" + CgroupMountCompiler.MountDirName(controller), hostPath));
            }
        }
        if (userNs)
            foreach (var d in config.Linux?.Devices ?? new List<Device>())
                list.Add((RootfsCompiler.Clean(d.Path), RootfsCompiler.Clean(d.Path)));
        return list;
    }

    /// <summary>The dump's ext_mnt: each external mount named by its destination; masked files
    /// (not directories, which get a tmpfs) by "/dev/null".</summary>
    public static void ForDump(CriuOptions opts, Config config, string bundle, IReadOnlyDictionary<string, string> cgroupPaths, int initPid)
    {
        foreach (var (dest, _) in Of(config, bundle, cgroupPaths)) opts.ExtMounts.Add((dest, dest));
        foreach (var path in config.Linux?.MaskedPaths ?? new List<string>())
        {
            string p = RootfsCompiler.Clean(path);
            if (Files.Stat($"/proc/{initPid}/root{p}", out var id) != 0 || id.IsDirectory) continue;
            opts.ExtMounts.Add((p, "/dev/null"));
        }
    }

    /// <summary>The restore's ext_mnt: each name mapped to its host source.</summary>
    public static void ForRestore(CriuOptions opts, Config config, string bundle, IReadOnlyDictionary<string, string> cgroupPaths)
    {
        foreach (var (dest, source) in Of(config, bundle, cgroupPaths)) opts.ExtMounts.Add((dest, source));
        if (config.Linux?.MaskedPaths is { Count: > 0 }) opts.ExtMounts.Add(("/dev/null", "/dev/null"));
    }
}
