using System.Diagnostics;
using CsRun.Container;
using CsRun.Launch;
using CsRun.Tests.Integration;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Security;

/// <summary>
/// HOME for a process whose env has none comes from /etc/passwd as the container sees it: read
/// by the child after the root switch, never by csrun on the host. A hostile image's passwd (a
/// symlink or a symlinked /etc out to the host, a FIFO, a device, a huge file) gives "/" or its
/// own home, promptly, and the container runs.
/// </summary>
public class PasswdLookupTests
{
    const int TimeoutMs = 20_000;

    static Bundle WithPasswd(string passwd, uint uid = 0)
    {
        var b = new Bundle("sh", "-c", "echo $HOME");
        File.WriteAllText(Path.Combine(b.Rootfs, "etc", "passwd"), passwd);
        b.Config.Process!.User = new() { Uid = uid, Gid = uid };
        return b;
    }

    /// <summary>`run` with a deadline: a csrun stuck on the passwd file fails the test instead of hanging it.</summary>
    static string RunHome(Bundle b)
    {
        b.Save();
        var clock = Stopwatch.StartNew();
        var r = CsrunCli.Run(new[] { "--root", b.StateRoot, "run", "-b", b.Dir, b.NewId() }, timeoutMs: TimeoutMs);
        r.ExitCode.Should().Be(0, r.ToString());
        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(10));
        return r.Stdout;
    }

    static void ReplacePasswd(Bundle b, Action<string> make)
    {
        string path = Path.Combine(b.Rootfs, "etc", "passwd");
        File.Delete(path);
        make(path);
    }

    static void Mknod(string path, string type, int major, int minor)
    {
        var p = Process.Start("mknod", new[] { path, type, major.ToString(), minor.ToString() })!;
        p.WaitForExit();
        p.ExitCode.Should().Be(0);
    }

    [Fact]
    public void The_home_of_the_processs_uid_is_used()
    {
        using var b = WithPasswd("root:x:0:0:root:/root:/bin/sh\nu:x:1000:1000::/home/u:/bin/sh\nv:x:1000:1000::/home/v:/bin/sh\n", 1000);
        RunHome(b).Should().Be("/home/u\n", "the first line with the uid wins, as in runc");
    }

    [Fact]
    public void A_uid_not_in_passwd_gets_slash()
    {
        using var b = WithPasswd("root:x:0:0:root:/root:/bin/sh\nu:x:10000:1000::/home/u:/bin/sh\n", 1000);
        RunHome(b).Should().Be("/\n");
    }

    [Fact]
    public void HOME_in_the_env_is_kept()
    {
        using var b = WithPasswd("root:x:0:0:root:/root:/bin/sh\n");
        b.Config.Process!.Env!.Add("HOME=/given");
        RunHome(b).Should().Be("/given\n");
    }

    [Fact]
    public void A_symlinked_passwd_resolves_inside_the_container()
    {
        // Issue 17: /etc/passwd -> /etc/real-passwd, absolute, as images built by some tools have it.
        using var b = WithPasswd("", 1000);
        File.WriteAllText(Path.Combine(b.Rootfs, "etc", "real-passwd"), "u:x:1000:1000::/home/from-real:/bin/sh\n");
        ReplacePasswd(b, p => File.CreateSymbolicLink(p, "/etc/real-passwd"));
        RunHome(b).Should().Be("/home/from-real\n");
    }

    [Fact]
    public void A_passwd_symlink_to_a_host_file_is_never_read()
    {
        string host = Path.Combine(Path.GetTempPath(), "csrun-host-passwd-" + Guid.NewGuid().ToString("N")[..12]);
        File.WriteAllText(host, "root:x:0:0:root:/HOST-ONLY-HOME:/bin/sh\n");
        try
        {
            using var b = WithPasswd("");
            ReplacePasswd(b, p => File.CreateSymbolicLink(p, host));
            RunHome(b).Should().Be("/\n", "the link names a path that exists only on the host");
            using var r = WithPasswd("");
            ReplacePasswd(r, p => File.CreateSymbolicLink(p, "../../../../../../../../.." + host));
            RunHome(r).Should().Be("/\n", "a relative link cannot climb out of the container's root either");
        }
        finally { File.Delete(host); }
    }

    [Fact]
    public void A_symlinked_etc_pointing_at_a_host_directory_is_never_read()
    {
        // The old host-side lookup checked only the last component: <rootfs>/etc -> /tmp/x made
        // it read /tmp/x/passwd on the host.
        string host = Path.Combine(Path.GetTempPath(), "csrun-host-etc-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(host);
        File.WriteAllText(Path.Combine(host, "passwd"), "root:x:0:0:root:/HOST-ONLY-HOME:/bin/sh\n");
        try
        {
            using var b = WithPasswd("");
            Directory.Delete(Path.Combine(b.Rootfs, "etc"), recursive: true);
            File.CreateSymbolicLink(Path.Combine(b.Rootfs, "etc"), host);
            RunHome(b).Should().Be("/\n");
        }
        finally { Directory.Delete(host, recursive: true); }
    }

    [Fact]
    public void A_fifo_passwd_does_not_block()
    {
        using var b = WithPasswd("");
        ReplacePasswd(b, p => { var r = Process.Start("mkfifo", new[] { p })!; r.WaitForExit(); r.ExitCode.Should().Be(0); });
        RunHome(b).Should().Be("/\n");
    }

    [Fact]
    public void A_device_passwd_is_not_read()
    {
        using var b = WithPasswd("");
        ReplacePasswd(b, p => Mknod(p, "c", 1, 5)); // /dev/zero: never ends, no newline
        RunHome(b).Should().Be("/\n");
        using var d = WithPasswd("");
        ReplacePasswd(d, p => Directory.CreateDirectory(p));
        RunHome(d).Should().Be("/\n", "a directory is no passwd either");
    }

    [Fact]
    public void A_large_passwd_is_read_up_to_its_bound()
    {
        // 3 MiB of other users, then ours: found (the old lookup gave up past 1 MiB).
        using var b = WithPasswd(Filler(3 << 20) + "u:x:1000:1000::/home/late:/bin/sh\n", 1000);
        RunHome(b).Should().Be("/home/late\n");
        // A 200 KiB line is no problem (runc fails: bufio.Scanner: token too long).
        using var l = WithPasswd(new string('x', 200 << 10) + "\nu:x:1000:1000::/home/after-long:/bin/sh\n", 1000);
        RunHome(l).Should().Be("/home/after-long\n");
        // Past 4 MiB nothing more is read: the uid there is not found, and csrun does not linger.
        using var h = WithPasswd(Filler(16 << 20) + "u:x:1000:1000::/home/too-late:/bin/sh\n", 1000);
        RunHome(h).Should().Be("/\n");
    }

    [Fact]
    public void A_home_longer_than_the_entry_gives_slash_and_a_short_one_is_trimmed()
    {
        using var b = WithPasswd("u:x:1000:1000::/" + new string('h', 5000) + ":/bin/sh\nu:x:1000:1000::/second:/bin/sh\n", 1000);
        RunHome(b).Should().Be("/\n", "the first matching line decides, and its home does not fit");
        using var t = WithPasswd("u:x:1000:1000::/home/u  \r\n", 1000);
        RunHome(t).Should().Be("/home/u\n", "runc trims the line's trailing white space");
    }

    [Fact]
    public void Exec_looks_HOME_up_in_the_running_containers_mount_namespace()
    {
        // The init puts a passwd on a tmpfs only its mount namespace sees; the bundle's says /root.
        using var b = new Bundle("sh", "-c", "echo 'u:x:1000:1000::/home/in-container:/bin/sh' > /etc/passwd; touch /etc/ready; sleep 100");
        File.WriteAllText(Path.Combine(b.Rootfs, "etc", "passwd"), "u:x:1000:1000::/home/on-host:/bin/sh\n");
        b.Config.Mounts!.Add(new() { Destination = "/etc", Type = "tmpfs", Source = "tmpfs", Options = new() { "mode=755" } });
        var id = b.NewId();
        b.Csrun("run", "-d", "-b", b.Dir, id).ExitCode.Should().Be(0);
        var clock = Stopwatch.StartNew();
        while (b.Csrun("exec", id, "test", "-e", "/etc/ready").ExitCode != 0 && clock.Elapsed < TimeSpan.FromSeconds(10)) Thread.Sleep(50);
        var r = b.Csrun("exec", "--user", "1000:1000", id, "sh", "-c", "echo $HOME");
        r.ExitCode.Should().Be(0, r.ToString());
        r.Stdout.Should().Be("/home/in-container\n", r.ToString());
    }

    [Fact]
    public void The_lookup_step_runs_after_the_root_switch_and_before_the_uid_change_only_without_HOME()
    {
        var c = Bundle.DefaultConfig(new[] { "true" });
        var ctx = new CompileContext { Config = c, BundleDir = "/bundle", Rootfs = "/bundle/rootfs", FifoFd = 7 };
        var k = Compiler.Compile(ctx).Steps.Select(s => s.Kind).ToList();
        k.Should().ContainSingle(s => s == StepKind.LookupHome);
        k.IndexOf(StepKind.LookupHome).Should().BeGreaterThan(k.IndexOf(StepKind.PivotRoot)).And.BeLessThan(k.IndexOf(StepKind.Setuid));
        var exec = ExecCompiler.Compile(ctx with { FifoFd = -1 }, new[] { ("mnt", 5) }).Steps.Select(s => s.Kind).ToList();
        exec.IndexOf(StepKind.LookupHome).Should().BeGreaterThan(exec.IndexOf(StepKind.Setns), "exec looks in the joined mount namespace");
        c.Process!.Env!.Add("HOME=/given");
        Compiler.Compile(ctx).Steps.Should().NotContain(s => s.Kind == StepKind.LookupHome);
    }

    static string Filler(int bytes)
    {
        var sb = new System.Text.StringBuilder(bytes + 64);
        for (int i = 0; sb.Length < bytes; i++) sb.Append("user").Append(i).Append(":x:").Append(100000 + i).Append(":100::/home/user").Append(i).Append(":/bin/sh\n");
        return sb.ToString();
    }
}
