using System.Text.Json;
using FluentAssertions;
using Xunit;
using static CsRun.Tests.Integration.UsernsBundles;

namespace CsRun.Tests.Integration;

/// <summary>
/// Bind mount sources of a container with a user namespace are opened with the host's
/// credentials (runc 1.1.5's mount fds): a source the namespace's root cannot reach, below a
/// 0700 directory of the host's root, is bound all the same, and what the user namespace locks
/// (submounts, a read-only host mount) stays locked as in runc.
/// </summary>
public class UsernsBindSourceTests
{
    const int HostId = 200000;

    /// <summary>A busybox bundle in a user namespace (0 → 200000, 65536 ids) that binds
    /// <paramref name="source"/> on /mnt with <paramref name="options"/>.</summary>
    /// <summary>/tmp/csrun-ubs-*/ (0700, root) holding secret-dir/file ("hi") and, when asked, a
    /// tmpfs on secret-dir/sub holding f ("insub").</summary>
    static HostTree NewSecret(bool submount = false) => new("csrun-ubs-", "secret-dir", privateTop: true, submount: submount);

    static Bundle UsernsBundle(string source, params string[] options)
    {
        var b = new Bundle().InUserNamespace(HostId);
        b.Config.Mounts!.Add(new() { Destination = "/mnt", Type = "bind", Source = source, Options = options.ToList() });
        return b;
    }

    [Fact]
    public void A_source_below_a_0700_host_directory_is_bound()
    {
        using var secret = NewSecret();
        using var b = UsernsBundle(secret.Dir, "rbind");
        var r = RunSh(b, "cat /mnt/file; stat -c '%u' /mnt/file", out var id);
        r.ExitCode.Should().Be(0, r.ToString());
        r.Stdout.Should().Be("hi65534\n", "the file is read through the bind; its host owner (root) is unmapped: nobody");
        Leftovers.AssertNone(b, id);
    }

    [Fact]
    public void A_symlink_source_is_resolved_as_on_the_host()
    {
        using var secret = NewSecret();
        string link = Path.Combine(secret.Top, "link");
        File.CreateSymbolicLink(link, secret.Dir);
        File.CreateSymbolicLink(Path.Combine(secret.Top, "rel"), "secret-dir/file");
        using var b = UsernsBundle(link, "rbind");
        b.Config.Mounts!.Add(new() { Destination = "/f", Type = "bind", Source = Path.Combine(secret.Top, "rel"), Options = new() { "bind" } });
        var r = RunSh(b, "cat /mnt/file /f", out var id);
        r.ExitCode.Should().Be(0, r.ToString());
        r.Stdout.Should().Be("hihi");
        Leftovers.AssertNone(b, id);
    }

    [Fact]
    public void A_namespace_file_is_bound_through_its_magic_link_as_on_the_host()
    {
        using var b = UsernsBundle("/proc/self/ns/uts", "bind");
        var r = RunSh(b, "awk '$5 == \"/mnt\" {print $4, $9}' /proc/self/mountinfo", out var id);
        r.ExitCode.Should().Be(0, r.ToString());
        // /proc/self is csrun on the host, in the host's uts namespace (runc: the same, its own).
        r.Stdout.Should().Be($"{new FileInfo("/proc/self/ns/uts").LinkTarget} nsfs\n");
        Leftovers.AssertNone(b, id);
    }

    [Fact]
    public void Read_only_is_enforced_and_rro_reaches_submounts()
    {
        using var secret = NewSecret(submount: true);
        using var b = UsernsBundle(secret.Dir, "rbind", "ro", "nosuid");
        b.Config.Mounts!.Add(new() { Destination = "/rro", Type = "bind", Source = secret.Dir, Options = new() { "rbind", "rro" } });
        var r = RunSh(b, "touch /mnt/x /mnt/sub/y /rro/sub/z 2>&1; awk '$5 ~ /^\\/(mnt|rro)/ {print $5, $6}' /proc/self/mountinfo", out var id);
        r.ExitCode.Should().Be(0, r.ToString());
        var lines = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Should().Contain(l => l.Contains("/mnt/x") && l.Contains("Read-only file system"));
        lines.Should().Contain(l => l.Contains("/rro/sub/z") && l.Contains("Read-only file system"));
        // ro is for the bind itself, as runc's remount; rro for every mount below it.
        lines.Should().Contain("/mnt ro,nosuid,relatime").And.Contain("/mnt/sub rw,relatime")
            .And.Contain("/rro ro,relatime").And.Contain("/rro/sub ro,relatime");
        File.Exists(Path.Combine(secret.Dir, "x")).Should().BeFalse();
        File.Exists(Path.Combine(secret.Sub, "y")).Should().BeTrue("ro is not recursive");
        Leftovers.AssertNone(b, id);
    }

    [Fact]
    public void A_recursive_bind_brings_submounts_and_the_user_namespace_cannot_unmount_them()
    {
        using var secret = NewSecret(submount: true);
        using var b = UsernsBundle(secret.Dir, "rbind");
        GrantSysAdmin(b);
        var r = RunSh(b, "cat /mnt/sub/f; umount /mnt/sub 2>&1; cat /mnt/sub/f", out var id);
        r.ExitCode.Should().Be(0, r.ToString());
        // The submount is a copy of the host's, locked with the rest (MNT_LOCKED): runc's too.
        r.Stdout.Should().Be("insub\numount: can't unmount /mnt/sub: Invalid argument\ninsub\n");
        Leftovers.AssertNone(b, id);
    }

    [Fact]
    public void A_plain_bind_of_a_directory_with_submounts_fails_as_in_runc()
    {
        using var secret = NewSecret(submount: true);
        using var b = UsernsBundle(secret.Dir, "bind");
        var r = RunSh(b, "true", out var id);
        // The kernel refuses to bind a tree without its locked submounts (runc 1.1.5: the same EINVAL).
        r.ExitCode.Should().Be(1, r.ToString());
        r.Stderr.Should().Contain($"mounts[{b.Config.Mounts!.Count - 1}]: bind {secret.Dir}").And.Contain("invalid argument (EINVAL)");
        Leftovers.AssertNone(b, id);
    }

    [Fact]
    public void A_read_only_host_mount_stays_read_only_for_the_user_namespace()
    {
        using var secret = NewSecret();
        Sh($"mount --bind {secret.Sub} {secret.Sub} && mount -o remount,bind,ro {secret.Sub}").Should().Be(0);
        try
        {
            using var b = UsernsBundle(secret.Sub, "rbind");
            GrantSysAdmin(b);
            var r = RunSh(b, "mount -o remount,bind,rw /mnt 2>&1; touch /mnt/x 2>&1", out var id);
            r.ExitCode.Should().Be(1, r.ToString());
            r.Stdout.Should().Contain("mount: permission denied").And.Contain("Read-only file system");
            Leftovers.AssertNone(b, id);
        }
        finally { Sh($"umount {secret.Sub}"); }
    }

    [Fact]
    public void No_source_fd_reaches_the_container()
    {
        using var secret = NewSecret(submount: true);
        using var b = UsernsBundle(secret.Dir, "rbind");
        b.Config.Mounts!.Add(new() { Destination = "/f", Type = "bind", Source = Path.Combine(secret.Dir, "file"), Options = new() { "bind", "ro" } });
        b.Config.Root!.Readonly = false;
        b.Config.Process!.Args = new() { "sh", "-c", "ls /proc/self/fd > /tmp/fds" };
        var id = b.NewId();
        var created = b.Csrun("create", "-b", b.Dir, id);
        created.ExitCode.Should().Be(0, created.ToString());
        int pid = JsonDocument.Parse(b.Csrun("state", id).Stdout).RootElement.GetProperty("pid").GetInt32();
        // The init waits for start: the sync socket, the exec fifo, its procfs and stdio only.
        // (Its procfs reads as "/" too: the host's root is told apart by dev and inode.)
        var fds = Directory.GetFileSystemEntries($"/proc/{pid}/fd");
        var links = fds.Select(f => new FileInfo(f).LinkTarget ?? "").ToList();
        links.Should().NotContain(l => l.StartsWith(secret.Top), string.Join(", ", links));
        global::CsRun.Linux.Files.Stat("/", out var hostRoot).Should().Be(0);
        fds.Where(f => global::CsRun.Linux.Files.Stat(f, out var id) == 0 && id == hostRoot).Should().BeEmpty("the child's \"/\" went to the parent and is closed");
        var started = b.Csrun("start", id);
        started.ExitCode.Should().Be(0, started.ToString());
        WaitGone(pid);
        // ls's own fds: stdio and the directory it reads (3), as under runc.
        File.ReadAllText(Path.Combine(b.Rootfs, "tmp", "fds")).Should().Be("0\n1\n2\n3\n");
        b.Csrun("delete", id).ExitCode.Should().Be(0);
        Leftovers.AssertNone(b, id);
    }

    [Fact]
    public void Seventy_sources_come_in_two_messages_and_all_are_bound_with_no_fd_left()
    {
        using var secret = NewSecret();
        using var b = UsernsBundle(secret.Dir, "bind", "ro");
        for (int i = 0; i < 69; i++)
            b.Config.Mounts!.Add(new() { Destination = $"/m/{i}", Type = "bind", Source = Path.Combine(secret.Dir, "file"), Options = new() { "bind" } });
        var r = RunSh(b, "cat /m/* | wc -c; grep -c ' /m/' /proc/self/mountinfo; ls /proc/self/fd | wc -l", out var id);
        r.ExitCode.Should().Be(0, r.ToString());
        // 69 files of "hi" and their 69 mounts (with /mnt, 70 sources: 64 fds in the first message, 6 in the second), and ls's 4 fds.
        r.Stdout.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Should().Equal("138", "69", "4");
        Leftovers.AssertNone(b, id);
    }

    [Fact]
    public void A_missing_source_is_named_in_the_error()
    {
        using var secret = NewSecret();
        string missing = Path.Combine(secret.Dir, "missing");
        using var b = UsernsBundle(missing, "rbind");
        var r = RunSh(b, "true", out var id);
        r.ExitCode.Should().Be(1);
        r.Stderr.Trim().Should().Be($"csrun run failed: mounts[{b.Config.Mounts!.Count - 1}].source: stat {missing}: no such file or directory");
        Leftovers.AssertNone(b, id);
    }

    [Fact]
    public void A_source_the_host_opens_but_cannot_hand_over_fails_naming_it_and_leaves_nothing()
    {
        // /dev/stdin is a magic link to csrun's stdin, a file of the host's mount namespace: no
        // bind takes it there (runc 1.1.5: "mount /proc/self/fd/6:/in …: invalid argument").
        using var b = UsernsBundle("/dev/stdin", "bind");
        var r = RunSh(b, "true", out var id);
        r.ExitCode.Should().Be(1);
        r.Stderr.Should().StartWith($"csrun run failed: mounts[{b.Config.Mounts!.Count - 1}].source: open /dev/stdin: a magic link on the way leads out");
        Leftovers.AssertNone(b, id);
        Leftovers.ProcessesInCgroup(id).Should().BeEmpty("the init waiting for its sources is killed");
    }

    [Fact]
    public void A_container_joining_a_user_namespace_by_path_gets_its_devices_and_binds()
    {
        // No mknod in a user namespace, joined or new: the default devices are bound from the
        // host, as runc does (csrun once only checked for a new one: mknod /dev/null EPERM).
        using var secret = NewSecret();
        using var owner = UsernsBundle(secret.Dir, "rbind");
        owner.Config.Process!.Args = new() { "sleep", "60" };
        var ownerId = owner.NewId();
        var created = owner.Csrun("create", "-b", owner.Dir, ownerId);
        created.ExitCode.Should().Be(0, created.ToString());
        int pid = JsonDocument.Parse(owner.Csrun("state", ownerId).Stdout).RootElement.GetProperty("pid").GetInt32();

        using var b = UsernsBundle(secret.Dir, "rbind");
        b.Config.Linux!.UidMappings = null;
        b.Config.Linux.GidMappings = null;
        b.Config.Linux.Namespaces!.First(n => n.Type == "user").Path = $"/proc/{pid}/ns/user";
        var r = RunSh(b, "echo x > /dev/null && head -c 4 /dev/zero | wc -c && cat /mnt/file && echo && readlink /proc/self/ns/user", out var id);
        r.ExitCode.Should().Be(0, r.ToString());
        var lines = r.Stdout.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        lines.Take(2).Should().Equal("4", "hi");
        lines[2].Should().Be(new FileInfo($"/proc/{pid}/ns/user").LinkTarget, "the container is in the joined user namespace");
        Leftovers.AssertNone(b, id);
        owner.Csrun("delete", "-f", ownerId).ExitCode.Should().Be(0);
        TestHost.Reap(pid);
    }

    static void WaitGone(int pid)
    {
        for (int i = 0; i < 500 && File.Exists($"/proc/{pid}/stat") && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z"); i++)
            Thread.Sleep(10);
        TestHost.Reap(pid);
    }
}
