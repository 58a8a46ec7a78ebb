using System.Diagnostics;
using FluentAssertions;

namespace CsRun.Tests.Integration;

/// <summary>What the bind tests with a user namespace share: the namespace, root's capability to
/// mount, a shell script as the process, and a shell on the host.</summary>
internal static class UsernsBundles
{
    /// <summary>A new user namespace mapping 0 to <paramref name="hostId"/> (65536 ids), the rootfs
    /// given to it, and no cgroup mount (cgroup v1 mounts need the real root in a user namespace).</summary>
    public static Bundle InUserNamespace(this Bundle b, int hostId)
    {
        b.Config.Linux!.Namespaces!.Add(new() { Type = "user" });
        b.Config.Linux.UidMappings = new() { new() { ContainerId = 0, HostId = (uint)hostId, Size = 65536 } };
        b.Config.Linux.GidMappings = new() { new() { ContainerId = 0, HostId = (uint)hostId, Size = 65536 } };
        b.Config.Mounts!.RemoveAll(m => m.Type == "cgroup" || m.Destination == "/sys");
        b.Config.Linux.Namespaces.RemoveAll(n => n.Type == "cgroup");
        Sh($"chown -R {hostId}:{hostId} {b.Rootfs}").Should().Be(0);
        return b;
    }

    public static void GrantSysAdmin(Bundle b)
    {
        var caps = b.Config.Process!.Capabilities!;
        foreach (var set in new[] { caps.Bounding!, caps.Effective!, caps.Permitted! }) set.Add("CAP_SYS_ADMIN");
    }

    /// <summary>`csrun run` of `sh -c <paramref name="script"/>` under a new id.</summary>
    public static CliResult RunSh(Bundle b, string script, out string id)
    {
        b.Config.Process!.Args = new() { "sh", "-c", script };
        id = b.NewId();
        return b.Csrun("run", "-b", b.Dir, id);
    }

    public static int Sh(string script)
    {
        var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(script);
        using var p = Process.Start(psi)!;
        p.WaitForExit();
        return p.ExitCode;
    }
}

/// <summary>
/// A host directory to bind: /tmp/&lt;prefix&gt;*/ (0700 when <c>privateTop</c>) holding
/// &lt;dirName&gt;/file ("hi") and &lt;dirName&gt;/sub, with a tmpfs on sub holding f ("insub") when asked
/// (read-only when asked). Dispose unmounts what it and <see cref="Mount"/> mounted, and removes it.
/// </summary>
internal sealed class HostTree : IDisposable
{
    public string Top { get; }
    public string Dir { get; }
    public string Sub => Path.Combine(Dir, "sub");
    readonly List<string> _mounts = new();

    public HostTree(string prefix, string dirName = "dir", bool privateTop = false, bool submount = false, bool readOnlySubmount = false)
    {
        Top = Path.Combine("/tmp", prefix + Guid.NewGuid().ToString("N")[..10]);
        Dir = Path.Combine(Top, dirName);
        Directory.CreateDirectory(Sub);
        if (privateTop) File.SetUnixFileMode(Top, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.WriteAllText(Path.Combine(Dir, "file"), "hi");
        if (submount || readOnlySubmount)
            Mount($"mount -t tmpfs -o size=64k csrun-tree {Sub} && echo insub > {Sub}/f" + (readOnlySubmount ? $" && mount -o remount,ro {Sub}" : ""), Sub);
    }

    /// <summary>Run a script that mounts on <paramref name="at"/>; Dispose unmounts it.</summary>
    public void Mount(string script, string at)
    {
        UsernsBundles.Sh(script).Should().Be(0, script);
        _mounts.Add(at);
    }

    public void Dispose()
    {
        foreach (var m in Enumerable.Reverse(_mounts)) UsernsBundles.Sh($"umount {m}");
        Directory.Delete(Top, recursive: true);
    }
}
