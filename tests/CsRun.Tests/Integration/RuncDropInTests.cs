using CsRun.Spec;
using System.Runtime.InteropServices;
using System.Text.Json;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Integration;

/// <summary>
/// Behaviours where csrun differed from runc in ways a caller of runc relies on (issue 15):
/// each is what runc 1.1.5 on this host does, and what runc's current code does.
/// </summary>
public class RuncDropInTests
{
    static int InitPid(Bundle b, string id) => JsonDocument.Parse(b.Csrun("state", id).Stdout).RootElement.GetProperty("pid").GetInt32();

    /// <summary>`kill ID 0` checks that the init exists (kill(2)'s signal 0); runc accepts it.</summary>
    [Fact]
    public void Kill_with_signal_0_checks_the_init_exists()
    {
        using var b = new Bundle("sleep", "100");
        var id = b.NewId();
        b.Csrun("create", "-b", b.Dir, id).ExitCode.Should().Be(0);
        int pid = InitPid(b, id);
        var r = b.Csrun("kill", id, "0");
        r.ExitCode.Should().Be(0, "a created container's init exists: " + r);
        b.Csrun("start", id).ExitCode.Should().Be(0);
        b.Csrun("kill", id, "0").ExitCode.Should().Be(0);
        b.Csrun("state", id).Stdout.Should().Contain("\"running\"", "signal 0 delivers nothing");
        b.Csrun("kill", id, "KILL").ExitCode.Should().Be(0);
        LifecycleTests.WaitFor(() => b.Csrun("state", id).Stdout.Contains("stopped"));
        r = b.Csrun("kill", id, "0");
        r.ExitCode.Should().Be(1);
        r.Stderr.Should().Contain("container not running");
        b.Csrun("kill", id, "65").Stderr.Should().Contain("unknown signal \"65\"");
        TestHost.Reap(pid);
    }

    /// <summary>
    /// `kill ID KILL` of a container without a pid namespace of its own kills every process in
    /// it, as runc 1.2+ does (its `kill --all` is obsolete for that): the init's death takes no
    /// other process with it there. runc 1.1.5 killed the init alone.
    /// </summary>
    [Fact]
    public void Sigkill_without_a_pid_namespace_kills_every_process_of_the_container()
    {
        using var b = new Bundle("sh", "-c", "sleep 100 & exec sleep 101");
        b.Config.Linux!.Namespaces!.RemoveAll(n => n.Type == "pid");
        var id = b.NewId();
        b.Csrun("run", "-d", "-b", b.Dir, id).ExitCode.Should().Be(0);
        int pid = InitPid(b, id);
        LifecycleTests.WaitFor(() => Leftovers.ProcessesInCgroup(id).Count == 2);
        var r = b.Csrun("kill", id, "KILL");
        r.ExitCode.Should().Be(0, r.ToString());
        try { LifecycleTests.WaitFor(() => Leftovers.ProcessesInCgroup(id).Count == 0, 5_000); } catch (TimeoutException) { }
        Leftovers.ProcessesInCgroup(id).Should().BeEmpty("the background sleep dies with the init");
        b.Csrun("delete", id).ExitCode.Should().Be(0);
        TestHost.Reap(pid);
    }

    /// <summary>runc's logrus writes JSON records on stderr with --log-format json and no --log.</summary>
    [Fact]
    public void Log_format_json_without_a_log_file_writes_json_lines_on_stderr()
    {
        using var b = new Bundle("true");
        b.Config.Mounts!.Add(new MountEntry { Destination = "mnt/rel", Type = "tmpfs", Source = "tmpfs" });
        var r = b.Csrun("--log-format", "json", "kill", "nope-" + Guid.NewGuid().ToString("N")[..8]);
        r.ExitCode.Should().Be(1);
        var error = JsonDocument.Parse(r.Stderr.Trim()).RootElement;
        error.GetProperty("level").GetString().Should().Be("error");
        error.GetProperty("msg").GetString().Should().Be("container does not exist");
        error.TryGetProperty("time", out _).Should().BeTrue();

        // A warning too (here the relative mount destination's).
        r = CsrunCli.Run(new[] { "--root", b.StateRoot, "--log-format", "json", "run", "-b", b.Dir, b.NewId() });
        r.ExitCode.Should().Be(0, r.ToString());
        var lines = r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Should().NotBeEmpty();
        foreach (var line in lines) JsonDocument.Parse(line).RootElement.GetProperty("level").GetString().Should().Be("warning", line);
        r.Stderr.Should().Contain("\\\"mnt/rel\\\"", "quotes are escaped as Go (runc) escapes them");

        // Text stays runc's: the final error bare on stderr.
        b.Csrun("kill", "nope-x1").Stderr.Should().Be("container does not exist\n");
    }

    /// <summary>
    /// A missing process.cwd is made at create (runc: MkdirAll(cwd, 0755) inside the new root,
    /// before root.readonly applies), owned by the container's root, whatever process.user is;
    /// exec makes nothing and fails, as runc's chdir does.
    /// </summary>
    [Fact]
    public void A_missing_cwd_is_created_by_create_and_refused_by_exec()
    {
        using var b = new Bundle("sh", "-c", "pwd; stat -c '%u:%g %a' . /work; sleep 100");
        b.Config.Process!.Cwd = "/work/sub";
        b.Config.Process.User = new() { Uid = 1000, Gid = 1000 };
        var id = b.NewId();
        var r = b.Csrun("run", "-d", "-b", b.Dir, id);
        r.ExitCode.Should().Be(0, r.ToString());
        int pid = InitPid(b, id);
        new DirectoryInfo(Path.Combine(b.Rootfs, "work", "sub")).Exists.Should().BeTrue();
        var e = b.Csrun("exec", id, "sh", "-c", "pwd; stat -c '%u:%g %a' . /work");
        e.ExitCode.Should().Be(0, e.ToString());
        e.Stdout.Should().Be("/work/sub\n0:0 755\n0:0 755\n", "exec runs in the made cwd, root-owned, 0755 as runc makes it");

        e = b.Csrun("exec", "--cwd", "/nope", id, "true");
        e.ExitCode.Should().Be(255, "exec failures exit 255, as runc's");
        e.Stderr.Should().Contain("process.cwd").And.Contain("/nope").And.Contain("no such file or directory");
        Directory.Exists(Path.Combine(b.Rootfs, "nope")).Should().BeFalse("exec creates no cwd (runc alike)");
        b.Csrun("delete", "-f", id).ExitCode.Should().Be(0);
        TestHost.Reap(pid);
    }

    /// <summary>
    /// runc enters process.cwd as root first and, when root is refused (EACCES), again as the
    /// process's user after the uid change. Here root is refused for real: in a user namespace
    /// the directory's owner (host root) is unmapped, so the container's root has no capability
    /// over it, and only its group (the container user's) may enter.
    /// </summary>
    [Fact]
    public void A_cwd_only_the_user_may_enter_is_entered_after_the_uid_change()
    {
        using var b = new Bundle("sh", "-c", "pwd; id -u");
        MapRootTo(b, 200000);
        string work = Path.Combine(b.Rootfs, "work");
        Directory.CreateDirectory(work);
        Run("chown", "0:201000", work);
        Run("chmod", "0070", work);
        b.Config.Process!.Cwd = "/work";
        b.Config.Process.User = new() { Uid = 1000, Gid = 1000 };
        var r = b.Run();
        r.ExitCode.Should().Be(0, r.ToString());
        r.Stdout.Should().Be("/work\n1000\n");

        b.Config.Process.User = new() { Uid = 0, Gid = 0 };
        r = b.Run();
        r.ExitCode.Should().Be(1, "root itself is refused: " + r);
        r.Stderr.Should().Contain("process.cwd").And.Contain("permission denied");
    }

    /// <summary>A user namespace whose root is host uid/gid <paramref name="host"/> (65536 ids), the
    /// rootfs given to it, and no cgroup mount (v1 ones need the real root).</summary>
    static void MapRootTo(Bundle b, uint host)
    {
        var linux = b.Config.Linux!;
        linux.Namespaces!.Add(new() { Type = "user" });
        linux.Namespaces.RemoveAll(n => n.Type == "cgroup");
        linux.UidMappings = new() { new() { ContainerId = 0, HostId = host, Size = 65536 } };
        linux.GidMappings = new() { new() { ContainerId = 0, HostId = host, Size = 65536 } };
        b.Config.Mounts!.RemoveAll(m => m.Type == "cgroup" || m.Destination == "/sys");
        Run("chown", "-R", $"{host}:{host}", b.Rootfs);
    }

    static void Run(string program, params string[] args)
    {
        using var p = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(program, args))!;
        p.WaitForExit();
        p.ExitCode.Should().Be(0, $"{program} {string.Join(" ", args)}");
    }

    /// <summary>config.md 1.2: a relative destination is "relative to /" (deprecated, allowed; runc warns).</summary>
    [Fact]
    public void A_relative_mount_destination_is_taken_relative_to_the_root()
    {
        using var b = new Bundle("sh", "-c", "grep ' /mnt/data ' /proc/self/mountinfo | cut -d' ' -f5,9");
        b.Config.Mounts!.Add(new MountEntry { Destination = "mnt/data", Type = "tmpfs", Source = "tmpfs", Options = new() { "size=1m" } });
        var r = b.Run();
        r.ExitCode.Should().Be(0, r.ToString());
        r.Stdout.Should().Be("/mnt/data tmpfs\n");
        r.Stderr.Should().Contain("mounts[7].destination").And.Contain("relative");
    }

    /// <summary>
    /// `run --no-subreaper` (runc): an orphan of the container goes to csrun's nearest subreaper
    /// (here the test host), not to csrun; without the flag csrun adopts it, as runc does.
    /// </summary>
    [Fact]
    public void Run_no_subreaper_leaves_the_containers_orphans_to_the_callers_subreaper()
    {
        string script = "sh -c 'sleep 5 & echo $! > /tmp/orphan'; sleep 0.3; o=$(cat /tmp/orphan); grep PPid /proc/$o/status | tr -dc 0-9; kill $o";
        foreach (bool noSubreaper in new[] { false, true })
        {
            using var b = new Bundle("sh", "-c", script);
            b.Config.Root!.Readonly = false;
            b.Config.Linux!.Namespaces!.RemoveAll(n => n.Type == "pid");
            var args = new List<string> { "run", "-b", b.Dir };
            if (noSubreaper) args.Add("--no-subreaper");
            args.Add(b.NewId());
            var r = b.Csrun(args.ToArray());
            r.ExitCode.Should().Be(0, r.ToString());
            int parent = int.Parse(r.Stdout);
            if (noSubreaper) parent.Should().Be(Environment.ProcessId, "the orphan skips csrun for the next subreaper up");
            else parent.Should().NotBe(Environment.ProcessId, "csrun run is the orphan's subreaper");
        }
    }

    /// <summary>
    /// --pidfd-socket (runc 1.2+): create/run send a pidfd of the init with the data "standard",
    /// exec one of its process with "setns" (runc's message), over SCM_RIGHTS.
    /// </summary>
    [Fact]
    public void Pidfd_socket_receives_a_pidfd_of_the_init_and_of_an_exec()
    {
        using var b = new Bundle("sleep", "100");
        var id = b.NewId();
        string path = Path.Combine(b.Dir, "pidfd.sock");
        using var listener = TestSockets.Listen(path, backlog: 2);

        var accepted = listener.AcceptAsync();
        var r = b.Csrun("create", "--pidfd-socket", path, "-b", b.Dir, id);
        r.ExitCode.Should().Be(0, r.ToString());
        int pid = InitPid(b, id);
        using (var conn = accepted.Result)
        {
            var (data, fd) = TestSockets.ReceiveWithFd((int)conn.Handle);
            System.Text.Encoding.ASCII.GetString(data).Should().Be("standard");
            PidOfPidfd(fd).Should().Be(pid);
            close(fd);
        }
        b.Csrun("start", id).ExitCode.Should().Be(0);

        accepted = listener.AcceptAsync();
        string pidFile = Path.Combine(b.Dir, "exec.pid");
        r = b.Csrun("exec", "-d", "--pidfd-socket", path, "--pid-file", pidFile, id, "sleep", "100");
        r.ExitCode.Should().Be(0, r.ToString());
        using (var conn = accepted.Result)
        {
            var (data, fd) = TestSockets.ReceiveWithFd((int)conn.Handle);
            System.Text.Encoding.ASCII.GetString(data).Should().Be("setns");
            PidOfPidfd(fd).Should().Be(int.Parse(File.ReadAllText(pidFile)));
            close(fd);
        }

        r = b.Csrun("exec", "--pidfd-socket", Path.Combine(b.Dir, "absent.sock"), id, "true");
        r.ExitCode.Should().Be(255, "exec failures exit 255, as runc's");
        r.Stderr.Should().Contain("--pidfd-socket").And.Contain("absent.sock");
        b.Csrun("delete", "-f", id).ExitCode.Should().Be(0);
        TestHost.Reap(pid);
    }

    /// <summary>
    /// Global --rootless as runc parses it (its meaning: tests/Integration/RootlessTests.cs);
    /// anything else is strconv's error. --criu names the CRIU that checkpoint and restore run:
    /// other commands take it silently, as runc 1.1.5 does.
    /// </summary>
    [Fact]
    public void Rootless_takes_runc_bool_or_auto_and_criu_is_for_checkpoint()
    {
        using var b = new Bundle("true");
        foreach (var v in new[] { "auto", "false", "0", "true", "t", "1" })
            b.Csrun("--rootless", v, "list", "-q").ExitCode.Should().Be(0, v);
        b.Csrun("--rootless", "maybe", "list").Stderr.Should().Contain("invalid syntax");
        var r = b.Csrun("--criu", "/usr/sbin/criu", "list", "-q");
        r.ExitCode.Should().Be(0);
        r.Stderr.Should().BeEmpty("--criu is checkpoint's and restore's");
        r = b.Csrun("--criu", Path.Combine(b.Dir, "no-criu"), "checkpoint", "--image-path", Path.Combine(b.Dir, "img"), "no-such-container");
        r.ExitCode.Should().Be(1);
        r.Stderr.Should().Contain("container does not exist");
    }

    /// <summary>The pid a pidfd refers to, from its fdinfo ("Pid:\t1234").</summary>
    static int PidOfPidfd(int fd)
    {
        fd.Should().BeGreaterThan(0);
        var line = File.ReadAllLines($"/proc/self/fdinfo/{fd}").Single(l => l.StartsWith("Pid:"));
        return int.Parse(line[4..].Trim());
    }

    [DllImport("libc")] static extern int close(int fd);
}
