using System.Text.Json;
using CsRun.Spec;
using FluentAssertions;
using Xunit;
using static CsRun.Tests.Integration.UsernsBundles;

namespace CsRun.Tests.Integration;

/// <summary>
/// Id-mapped bind mounts (config.md `idmap`/`ridmap`, `mounts[].uidMappings`/`gidMappings`;
/// runc 1.2's semantics): Kubernetes' pattern (a user namespace container sees a root-owned host
/// directory as its own root's and writes files the host sees as root's), a mount's own maps
/// without a user namespace, idmap against ridmap on submounts, the user namespace's locks kept,
/// errors naming the mount, and nothing left behind (helpers reaped, no fd in the init).
/// </summary>
public class IdmappedMountTests
{
    const int HostId = 100000;

    /// <summary>/tmp/csrun-idm-*/dir/ (root's) holding file and sub, with a tmpfs on sub when asked.</summary>
    static HostTree NewHostDir(bool submount = false, bool readOnlySubmount = false) =>
        new("csrun-idm-", submount: submount, readOnlySubmount: readOnlySubmount);

    static List<IdMapping> Map(uint container, uint host, uint size) => new() { new() { ContainerId = container, HostId = host, Size = size } };

    /// <summary>A busybox bundle, in a user namespace (0 → 100000, 65536 ids) when asked, that
    /// binds <paramref name="source"/> on /mnt with <paramref name="options"/>.</summary>
    static Bundle NewBundle(bool userns, string source, params string[] options)
    {
        var b = userns ? new Bundle().InUserNamespace(HostId) : new Bundle();
        b.Config.Mounts!.Add(new() { Destination = "/mnt", Type = "bind", Source = source, Options = options.ToList() });
        return b;
    }

    static string[] Lines(string s) => s.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    [IdmapFact]
    public void A_user_namespace_container_owns_a_root_owned_host_directory_and_the_host_sees_its_files_as_root()
    {
        using var host = NewHostDir();
        using var b = NewBundle(true, host.Dir, "bind", "idmap");
        // The control: a plain bind of the same directory in the same user namespace.
        b.Config.Mounts!.Add(new() { Destination = "/plain", Type = "bind", Source = host.Dir, Options = new() { "bind" } });
        var r = RunSh(b, "stat -c '%u:%g' /plain/file; touch /plain/new 2>&1;"
            + " stat -c '%u:%g' /mnt /mnt/file; echo bye > /mnt/file && touch /mnt/new && mkdir /mnt/d && echo wrote;"
            + " awk '$5 == \"/mnt\" {print $6}' /proc/self/mountinfo", out var id);
        r.ExitCode.Should().Be(0, r.ToString());
        // Root's files (0 on disk) are nobody's without the mapping, and read-only to the
        // container; with it they are the container root's (0 inside, 100000 outside) ...
        Lines(r.Stdout).Should().Equal("65534:65534", "touch: /plain/new: Permission denied", "0:0", "0:0", "wrote", "rw,relatime,idmapped");
        // ... and what the container root writes is the host root's on disk.
        File.ReadAllText(Path.Combine(host.Dir, "file")).Should().Be("bye\n");
        foreach (var f in new[] { "new", "d" })
        {
            Sh($"test \"$(stat -c '%u:%g' {Path.Combine(host.Dir, f)})\" = 0:0").Should().Be(0, $"{f} must be root's on the host");
        }
        Leftovers.AssertNone(b, id);
    }

    [IdmapFact]
    public void A_mount_with_its_own_maps_shows_the_mapped_owners_without_a_user_namespace()
    {
        using var host = NewHostDir();
        Sh($"chown 3:4 {host.Dir} {host.Dir}/file").Should().Be(0);
        // Disk uid 0..9 show as 1000..1009, gid 0..9 as 2000..2009.
        using var b = NewBundle(false, host.Dir, "bind", "idmap");
        var mount = b.Config.Mounts!.Last();
        mount.UidMappings = Map(0, 1000, 10);
        mount.GidMappings = Map(0, 2000, 10);
        b.Config.Process!.User = new User { Uid = 1003, Gid = 2004 };
        var r = RunSh(b, "stat -c '%u:%g' /mnt /mnt/file; touch /mnt/new && echo wrote", out var id);
        r.ExitCode.Should().Be(0, r.ToString());
        Lines(r.Stdout).Should().Equal("1003:2004", "1003:2004", "wrote");
        Sh($"test \"$(stat -c '%u:%g' {host.Dir}/new)\" = 3:4").Should().Be(0, "uid 1003 writes disk uid 3 through the mapping");
        Leftovers.AssertNone(b, id);
    }

    [IdmapFact]
    public void Mount_maps_win_over_the_user_namespace_and_maps_alone_mean_idmap()
    {
        // runc 1.2: uidMappings/gidMappings without idmap or ridmap map the top mount.
        using var host = NewHostDir();
        Sh($"chown 7:8 {host.Dir}/file").Should().Be(0);
        using var b = NewBundle(true, host.Dir, "bind");
        var mount = b.Config.Mounts!.Last();
        mount.UidMappings = Map(0, HostId + 10, 100);
        mount.GidMappings = Map(0, HostId + 20, 100);
        var r = RunSh(b, "stat -c '%u:%g' /mnt/file", out var id);
        r.ExitCode.Should().Be(0, r.ToString());
        r.Stdout.Should().Be("17:28\n", "disk 7 is host 100017, container 17; disk 8 is host 100028, container 28");
        Leftovers.AssertNone(b, id);
    }

    [IdmapFact]
    public void Idmap_without_maps_in_a_joined_user_namespace_maps_through_that_namespace()
    {
        using var host = NewHostDir();
        using var owner = NewBundle(true, host.Dir, "bind");
        owner.Config.Process!.Args = new() { "sleep", "60" };
        var ownerId = owner.NewId("idm");
        var created = owner.Csrun("create", "-b", owner.Dir, ownerId);
        created.ExitCode.Should().Be(0, created.ToString());
        int pid = JsonDocument.Parse(owner.Csrun("state", ownerId).Stdout).RootElement.GetProperty("pid").GetInt32();
        try
        {
            // The joined namespace maps 0 to 100000 (the owner's config); this bundle names no maps.
            using var b = NewBundle(true, host.Dir, "bind", "idmap");
            b.Config.Linux!.UidMappings = null;
            b.Config.Linux.GidMappings = null;
            b.Config.Linux.Namespaces!.First(n => n.Type == "user").Path = $"/proc/{pid}/ns/user";
            var r = RunSh(b, "stat -c '%u:%g' /mnt/file; touch /mnt/new && echo wrote", out var id);
            r.ExitCode.Should().Be(0, r.ToString());
            Lines(r.Stdout).Should().Equal("0:0", "wrote");
            UsernsBundles.Sh($"test \"$(stat -c '%u:%g' {host.Dir}/new)\" = 0:0").Should().Be(0);
            Leftovers.AssertNone(b, id);
        }
        finally
        {
            owner.Csrun("delete", "-f", ownerId).ExitCode.Should().Be(0);
            TestHost.Reap(pid);
        }
    }

    [IdmapFact]
    public void Ridmap_maps_the_submounts_of_an_rbind_and_idmap_only_its_top()
    {
        using var host = NewHostDir(submount: true);
        using var b = NewBundle(true, host.Dir, "rbind", "idmap");
        b.Config.Mounts!.Add(new() { Destination = "/r", Type = "bind", Source = host.Dir, Options = new() { "rbind", "ridmap" } });
        var r = RunSh(b, "stat -c '%n %u' /mnt/file /mnt/sub/f /r/file /r/sub/f; awk '$5 ~ /^\\/(mnt|r)/ {print $5, $6}' /proc/self/mountinfo", out var id);
        r.ExitCode.Should().Be(0, r.ToString());
        Lines(r.Stdout).Should().Equal(
            "/mnt/file 0", "/mnt/sub/f 65534", "/r/file 0", "/r/sub/f 0",
            "/mnt rw,relatime,idmapped", "/mnt/sub rw,relatime", "/r rw,relatime,idmapped", "/r/sub rw,relatime,idmapped");
        Leftovers.AssertNone(b, id);
    }

    [IdmapTheory]
    [InlineData("idmap")]
    [InlineData("ridmap")]
    public void An_idmapped_rbind_keeps_its_read_only_submount_locked_against_cap_sys_admin(string option)
    {
        using var host = NewHostDir(submount: true, readOnlySubmount: true);
        using var b = NewBundle(true, host.Dir, "rbind", option);
        GrantSysAdmin(b);
        var r = RunSh(b, "mount -o remount,bind,rw /mnt/sub 2>&1; umount /mnt/sub 2>&1; umount -l /mnt/sub 2>&1; touch /mnt/sub/x 2>&1; cat /mnt/sub/f", out var id);
        r.ExitCode.Should().Be(0, r.ToString());
        // The tree was cloned from the container's mount namespace, where the user namespace
        // locked the submount (MNT_LOCKED, MNT_LOCK_READONLY): as for a plain rbind.
        Lines(r.Stdout).Should().Equal(
            "mount: permission denied (are you root?)",
            "umount: can't unmount /mnt/sub: Invalid argument",
            "umount: can't unmount /mnt/sub: Invalid argument",
            "touch: /mnt/sub/x: Read-only file system",
            "insub");
        File.Exists(Path.Combine(host.Sub, "x")).Should().BeFalse();
        Leftovers.AssertNone(b, id);
    }

    [IdmapFact]
    public void An_idmapped_bind_of_a_read_only_host_mount_cannot_be_made_writable()
    {
        using var host = NewHostDir();
        host.Mount($"mount --bind {host.Dir} {host.Dir} && mount -o remount,bind,ro {host.Dir}", host.Dir);
        using var b = NewBundle(true, host.Dir, "rbind", "idmap");
        GrantSysAdmin(b);
        var r = RunSh(b, "mount -o remount,bind,rw /mnt 2>&1; touch /mnt/x 2>&1; awk '$5 == \"/mnt\" {print $6}' /proc/self/mountinfo", out var id);
        r.ExitCode.Should().Be(0, r.ToString());
        Lines(r.Stdout).Should().Equal("mount: permission denied (are you root?)", "touch: /mnt/x: Read-only file system", "ro,relatime,idmapped");
        Leftovers.AssertNone(b, id);
    }

    [IdmapFact]
    public void A_symlink_source_is_idmapped_at_what_it_names_on_the_host()
    {
        using var host = NewHostDir();
        string link = Path.Combine(host.Top, "link");
        File.CreateSymbolicLink(link, "dir");
        using var b = NewBundle(true, link, "bind", "idmap");
        var r = RunSh(b, "cat /mnt/file; stat -c ' %u' /mnt/file", out var id);
        r.ExitCode.Should().Be(0, r.ToString());
        r.Stdout.Should().Be("hi 0\n");
        Leftovers.AssertNone(b, id);
    }

    [IdmapTheory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_source_in_the_rootfs_is_resolved_in_it_so_an_image_symlink_cannot_map_a_host_directory(bool userns)
    {
        // The image's /link names the host directory by its absolute path; the image has a
        // directory at that path too. A plain bind follows the link on the host (runc alike);
        // an id-mapped one would make the host's files the container root's, so it stays inside.
        using var host = NewHostDir();
        using var b = NewBundle(userns, "/unused", "rbind", "idmap");
        string inImage = Path.Combine(b.Rootfs, host.Dir.TrimStart('/'));
        Directory.CreateDirectory(inImage);
        File.WriteAllText(Path.Combine(inImage, "file"), "image");
        File.CreateSymbolicLink(Path.Combine(b.Rootfs, "link"), host.Dir);
        if (userns) UsernsBundles.Sh($"chown -R {HostId}:{HostId} {b.Rootfs}").Should().Be(0);
        var mount = b.Config.Mounts!.Last();
        mount.Source = Path.Combine(b.Rootfs, "link");
        if (!userns)
        {
            mount.UidMappings = Map(0, HostId, 65536);
            mount.GidMappings = Map(0, HostId, 65536);
        }
        var r = RunSh(b, "cat /mnt/file", out var id);
        r.ExitCode.Should().Be(0, r.ToString());
        r.Stdout.Should().Be("image");
        Leftovers.AssertNone(b, id);
    }

    [IdmapTheory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_filesystem_that_cannot_be_idmapped_fails_naming_the_mount_the_filesystem_and_the_errno(bool userns)
    {
        // A namespace file: nsfs has no FS_ALLOW_IDMAP. With a user namespace it is opened through
        // its magic link on the host, as any bind source there; without, by path in the child.
        using var b = NewBundle(userns, "/proc/self/ns/uts", "bind", "idmap");
        if (!userns)
        {
            b.Config.Mounts!.Last().UidMappings = Map(0, HostId, 65536);
            b.Config.Mounts!.Last().GidMappings = Map(0, HostId, 65536);
        }
        var r = RunSh(b, "true", out var id);
        r.ExitCode.Should().Be(1, r.ToString());
        int index = b.Config.Mounts!.Count - 1;
        r.Stderr.Trim().Should().Be($"csrun run failed: mounts[{index}]: id-map /proc/self/ns/uts: mount_setattr MOUNT_ATTR_IDMAP: "
            + "invalid argument (EINVAL): its filesystem (nsfs) cannot be id-mapped on this kernel");
        Leftovers.AssertNone(b, id);
        Leftovers.ProcessesInCgroup(id).Should().BeEmpty();
    }

    [IdmapFact]
    public void A_recursive_idmap_over_a_submount_that_cannot_be_idmapped_names_the_tree()
    {
        using var host = NewHostDir();
        host.Mount($"mount -t proc csrun-idm-proc {host.Sub}", host.Sub);
        using var b = NewBundle(true, host.Dir, "rbind", "ridmap");
        var r = RunSh(b, "true", out var id);
        r.ExitCode.Should().Be(1, r.ToString());
        r.Stderr.Should().Contain($"mounts[{b.Config.Mounts!.Count - 1}]: id-map {host.Dir}: mount_setattr MOUNT_ATTR_IDMAP recursively: "
            + "invalid argument (EINVAL): its filesystem (ext4) or one mounted below it cannot be id-mapped");
        Leftovers.AssertNone(b, id);
    }

    [IdmapFact]
    public void Helpers_are_reaped_and_no_fd_reaches_the_created_init()
    {
        using var host = NewHostDir(submount: true);
        using var b = NewBundle(true, host.Dir, "rbind", "ridmap");
        // Two mounts with one mapping of their own (one helper) and one with the container's.
        var own = Map(0, HostId + 4242, 7);
        foreach (var dest in new[] { "/own1", "/own2" })
            b.Config.Mounts!.Add(new() { Destination = dest, Type = "bind", Source = Path.Combine(host.Dir, "file"), Options = new() { "bind" }, UidMappings = own, GidMappings = own });
        b.Config.Root!.Readonly = false;
        b.Config.Process!.Args = new() { "sh", "-c", "ls /proc/self/fd > /tmp/fds" };
        var id = b.NewId("idm");
        var created = b.Csrun("create", "-b", b.Dir, id);
        created.ExitCode.Should().Be(0, created.ToString());
        int pid = JsonDocument.Parse(b.Csrun("state", id).Stdout).RootElement.GetProperty("pid").GetInt32();

        // No process (zombie or not) is left in a user namespace with the mounts' own maps.
        string ownMap = $"0 {HostId + 4242} 7";
        HelpersWithMap(ownMap).Should().BeEmpty("the helper that carried the mapping is killed and reaped");
        // The init holds the sync socket, the exec fifo, its procfs and stdio: no source, tree or namespace fd.
        var links = Directory.GetFileSystemEntries($"/proc/{pid}/fd").Select(f => new FileInfo(f).LinkTarget ?? "").ToList();
        links.Should().NotContain(l => l.StartsWith(host.Top) || l.StartsWith("user:") || l.StartsWith("mnt:") || l.StartsWith("anon_inode"),
            string.Join(", ", links));
        var started = b.Csrun("start", id);
        started.ExitCode.Should().Be(0, started.ToString());
        for (int i = 0; i < 500 && File.Exists($"/proc/{pid}/stat") && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z"); i++)
            Thread.Sleep(10);
        TestHost.Reap(pid);
        File.ReadAllText(Path.Combine(b.Rootfs, "tmp", "fds")).Should().Be("0\n1\n2\n3\n", "ls's own fds only");
        b.Csrun("delete", id).ExitCode.Should().Be(0);
        Leftovers.AssertNone(b, id);
    }

    static List<string> HelpersWithMap(string map)
    {
        var found = new List<string>();
        foreach (var p in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(p), out _)) continue;
            try
            {
                if (File.ReadAllText(Path.Combine(p, "uid_map")).Trim().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries) is var f
                    && string.Join(' ', f) == map)
                    found.Add(p);
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return found;
    }

    [Fact]
    public void Features_lists_idmap_and_ridmap_and_enables_the_idmap_extension()
    {
        var r = CsrunCli.Run(new[] { "features" });
        r.ExitCode.Should().Be(0, r.ToString());
        var f = JsonDocument.Parse(r.Stdout).RootElement;
        f.GetProperty("mountOptions").EnumerateArray().Select(o => o.GetString()).Should().Contain(new[] { "idmap", "ridmap" });
        f.GetProperty("linux").GetProperty("mountExtensions").GetProperty("idmap").GetProperty("enabled").GetBoolean().Should().BeTrue();
    }
}

/// <summary>mount_setattr(MOUNT_ATTR_IDMAP) arrived in Linux 5.12, tmpfs learnt it in 6.3 (the
/// tests' submounts are tmpfs).</summary>
public sealed class IdmapFactAttribute : FactAttribute
{
    public IdmapFactAttribute()
    {
        if (Environment.OSVersion.Version < new Version(6, 3)) Skip = "id-mapped tmpfs mounts need Linux 6.3";
    }
}

public sealed class IdmapTheoryAttribute : TheoryAttribute
{
    public IdmapTheoryAttribute()
    {
        if (Environment.OSVersion.Version < new Version(6, 3)) Skip = "id-mapped tmpfs mounts need Linux 6.3";
    }
}
