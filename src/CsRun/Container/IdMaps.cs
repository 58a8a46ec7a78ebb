using CsRun.Errors;
using CsRun.Linux;
using CsRun.Spec;

namespace CsRun.Container;

/// <summary>
/// Writes linux.uidMappings/gidMappings for the init's new user namespace, as runc's nsexec
/// does: straight into /proc/PID/uid_map, and where the kernel refuses that (EPERM: a caller
/// mapping more than its own id) through the setuid newuidmap/newgidmap of the uidmap package,
/// which map what /etc/subuid and /etc/subgid grant the caller.
/// </summary>
internal static class IdMaps
{
    public static void Write(int pid, Config config)
    {
        var gids = config.Linux?.GidMappings;
        // An unprivileged caller may write a gid_map only once setgroups is denied, which it is
        // for good: runc denies it when the map is its own gid alone (multi-range maps go
        // through newgidmap, which needs no deny and lets the container call setgroups).
        if (GlobalOptions.RootlessEuid && gids is { Count: > 0 } && !NeedsMappingTool(gids, Identity.EffectiveGid))
            Files.WriteExisting($"/proc/{pid}/setgroups", "deny", "linux.gidMappings");
        Write(pid, "uid_map", "newuidmap", config.Linux?.UidMappings, "linux.uidMappings");
        Write(pid, "gid_map", "newgidmap", gids, "linux.gidMappings");
    }

    /// <summary>runc's requiresRootOrMappingTool: anything but "0 EGID 1".</summary>
    public static bool NeedsMappingTool(List<IdMapping> gids, uint egid) =>
        !(gids.Count == 1 && gids[0] is { ContainerId: 0, Size: 1 } g && g.HostId == egid);

    /// <summary>setgroups says "deny": the container cannot set supplementary groups. Either csrun
    /// writes the deny (a rootless map of the caller's gid alone), or csrun itself runs in a user
    /// namespace that denies it (`unshare -Ur`), which every user namespace made below inherits:
    /// runc then skips setgroups too.</summary>
    public static bool SetgroupsDenied(Config config) =>
        (GlobalOptions.RootlessEuid && config.Linux?.GidMappings is { Count: > 0 } gids && !NeedsMappingTool(gids, Identity.EffectiveGid))
        || (UserNamespace.CallerIsInOne && SetgroupsDeniedIn("self"));

    /// <summary>Whether the init's user namespace denies setgroups (exec joins it).</summary>
    public static bool SetgroupsDeniedIn(int initPid) => SetgroupsDeniedIn(initPid.ToString(System.Globalization.CultureInfo.InvariantCulture));

    static bool SetgroupsDeniedIn(string pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/setgroups").Trim() == "deny"; }
        catch (IOException) { return false; }
    }

    static void Write(int pid, string file, string tool, List<IdMapping>? maps, string field)
    {
        if (maps == null || maps.Count == 0) return;
        string text = string.Concat(maps.Select(m => $"{m.ContainerId} {m.HostId} {m.Size}\n"));
        string path = $"/proc/{pid}/{file}";
        int errno = WriteProc(path, text, field);
        if (errno == 0) return;
        if (errno != Errno.EPERM || !GlobalOptions.RootlessEuid)
            throw new RuntimeError($"{field}: write {path}: {Errno.Message(errno)}");
        RunTool(pid, tool, maps, field);
    }

    /// <summary>Writes a file that must be on procfs (CVE-2019-16884 class); the write's errno, or 0.</summary>
    static int WriteProc(string path, string text, string field)
    {
        int fd = Files.Open(path, O.WrOnly | O.NoFollow, field);
        try
        {
            if (Files.FsType(fd) != Magic.Proc) throw new RuntimeError($"{field}: refusing to write {path}: not on procfs");
            return -KernelFile.WriteValue(fd, text);
        }
        finally { Files.Close(fd); }
    }

    /// <summary>newuidmap PID CONTAINER HOST SIZE...; its own message tells which range /etc/subuid does not grant.</summary>
    static void RunTool(int pid, string tool, List<IdMapping> maps, string field)
    {
        var args = new List<string> { pid.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        foreach (var m in maps) args.AddRange(new[] { m.ContainerId.ToString(), m.HostId.ToString(), m.Size.ToString() });
        int status;
        string output;
        try { (status, output) = HostCommand.Run(tool, args); }
        catch (RuntimeError e)
        {
            throw new RuntimeError($"{field}: the caller may map only its own id without {tool} (Debian package uidmap): {e.Message}");
        }
        if (status != 0)
            throw new RuntimeError($"{field}: {tool} {string.Join(" ", args)} failed (exit status {status}): {output.Trim()}");
    }
}
