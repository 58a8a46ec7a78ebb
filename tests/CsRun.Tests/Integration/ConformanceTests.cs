using CsRun.Spec;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Integration;

/// <summary>
/// Regressions found by opencontainers/runtime-tools' validation suite (docs/conformance.md):
/// each test is the smallest container that failed before its fix.
/// </summary>
public class ConformanceTests
{
    [Fact]
    public void A_seccomp_profile_without_close_range_and_without_no_new_privileges_still_starts()
    {
        // The suite's default config: seccomp errno by default, close_range not allowed, and
        // noNewPrivileges unset, so the filter is loaded before the capabilities are dropped.
        using var b = new Bundle("echo", "ok");
        b.Config.Process!.NoNewPrivileges = false;
        b.Config.Linux!.Seccomp = new SeccompConfig
        {
            DefaultAction = "SCMP_ACT_ALLOW",
            Syscalls = new() { new SeccompSyscall { Names = new() { "close_range" }, Action = "SCMP_ACT_ERRNO" } },
        };
        var r = b.Run();
        r.ExitCode.Should().Be(0, r.ToString());
        r.Stdout.Should().Be("ok\n");
    }

    [Fact]
    public void A_bind_mount_with_filesystem_options_is_mounted_like_runc_does()
    {
        // The suite's `mounts` program appends tmpfs options (mode=755, size=1k) to every mount,
        // bind mounts included; runc passes them on and the kernel ignores them.
        using var b = new Bundle("cat", "/mnt/etc/hostname");
        b.Config.Mounts!.Add(new MountEntry
        {
            Destination = "/mnt/etc", Source = "/etc", Options = new() { "nosuid", "strictatime", "mode=755", "size=1k", "bind", "shared" },
        });
        var r = b.Run();
        r.ExitCode.Should().Be(0, r.ToString());
        r.Stdout.Should().Be(File.ReadAllText("/etc/hostname"));
    }

    [Fact]
    public void A_user_namespace_whose_maps_leave_out_host_root_can_still_build_dev()
    {
        // linux_uid_mappings: container 0..1999 is host 1000..2999. The init must become the
        // namespace's root before it mounts and fills /dev, or mkdir /dev/pts fails (EOVERFLOW).
        using var b = new Bundle("sh", "-c", "cat /proc/self/uid_map /proc/self/gid_map; id -u; id -g; test -d /dev/pts");
        b.Config.Linux!.Namespaces!.Add(new Namespace { Type = "user" });
        b.Config.Linux.UidMappings = new() { new IdMapping { ContainerId = 0, HostId = 1000, Size = 2000 } };
        b.Config.Linux.GidMappings = new() { new IdMapping { ContainerId = 0, HostId = 1000, Size = 3000 } };
        var r = b.Run();
        r.ExitCode.Should().Be(0, r.ToString());
        r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => string.Join(" ", l.Split(' ', StringSplitOptions.RemoveEmptyEntries)))
            .Should().Equal("0 1000 2000", "0 1000 3000", "0", "0");
    }

    [Fact]
    public void A_container_that_inherits_every_namespace_waits_for_start_and_runs()
    {
        // linux_ns_itype: no namespaces at all, so no mount namespace and no /proc in the chroot.
        // The init used to die reopening the exec fifo through /proc/self/fd and read as stopped.
        using var b = new Bundle("sh", "-c", "echo started > /started");
        b.Config.Linux!.Namespaces!.Clear();
        b.Config.Linux.MaskedPaths = null;
        b.Config.Linux.ReadonlyPaths = null;
        b.Config.Hostname = null;
        b.Config.Root!.Readonly = false;
        var id = b.NewId();
        var r = b.Csrun("create", "--bundle", b.Dir, id);
        r.ExitCode.Should().Be(0, r.ToString());
        var state = b.Csrun("state", id);
        state.Stdout.Should().Contain("\"status\": \"created\"", state.ToString());
        int pid = System.Text.Json.JsonDocument.Parse(state.Stdout).RootElement.GetProperty("pid").GetInt32();
        new FileInfo($"/proc/{pid}/ns/net").LinkTarget.Should().Be(new FileInfo("/proc/self/ns/net").LinkTarget);
        b.Csrun("start", id).ExitCode.Should().Be(0);
        string started = Path.Combine(b.Rootfs, "started");
        // The shell creates the file before echo writes to it: wait for the line itself.
        LifecycleTests.WaitFor(() => File.Exists(started) && File.ReadAllText(started) == "started\n");
        LifecycleTests.WaitFor(() => b.Csrun("state", id).Stdout.Contains("\"status\": \"stopped\""));
        b.Csrun("delete", id).ExitCode.Should().Be(0);
        TestHost.Reap(pid);
        Leftovers.AssertNone(b, id);
    }

    [Fact]
    public void A_failing_poststop_hook_warns_and_the_next_hooks_still_run_a_failing_poststart_one_fails_start()
    {
        // poststop_fail: "the remaining hooks and lifecycle continue as if the hook had
        // succeeded". The first failure used to skip the rest of the list. poststart_fail asks
        // the same of poststart, as spec 1.0 to 1.2 did; spec 1.3 (and runc) make it an error
        // that stops the container, and the hooks after it do not run.
        using var b = new Bundle("true");
        string sh = Path.Combine(b.Rootfs, "bin", "sh"), log = Path.Combine(b.Dir, "hooks.log");
        Hook Fail() => new() { Path = Path.Combine(b.Rootfs, "bin", "false"), Args = new() { "false" } };
        Hook Note(string what) => new() { Path = sh, Args = new() { "sh", "-c", $"echo {what} >> {log}" } };
        b.Config.Hooks = new HooksConfig { Poststart = new() { Fail(), Note("poststart") }, Poststop = new() { Fail(), Note("poststop") } };
        var id = b.NewId();
        b.Csrun("create", "--bundle", b.Dir, id).ExitCode.Should().Be(0);
        var start = b.Csrun("start", id);
        start.ExitCode.Should().Be(1, start.ToString());
        start.Stderr.Should().Contain("hooks.poststart[0]");
        LifecycleTests.WaitFor(() => b.Csrun("state", id).Stdout.Contains("\"status\": \"stopped\""));
        var delete = b.Csrun("delete", id);
        delete.ExitCode.Should().Be(0, delete.ToString());
        delete.Stderr.Should().Contain("hooks.poststop[0]");
        File.ReadAllText(log).Should().Be("poststop\n");
        Leftovers.AssertNone(b, id);
    }

    [Fact]
    public void Create_phase_hooks_read_the_creating_status_and_the_init_pid_on_stdin()
    {
        // hooks_stdin wants "created" (the status after lifecycle step 2); runc gives prestart,
        // createRuntime and createContainer hooks "creating", create not being over, and so
        // does csrun now (issue 15: a drop-in for runc).
        using var b = new Bundle("true");
        string sh = Path.Combine(b.Rootfs, "bin", "sh");
        Hook Save(string name) => new() { Path = sh, Args = new() { "sh", "-c", $"cat > {Path.Combine(b.Dir, name)}" } };
        b.Config.Hooks = new HooksConfig { Prestart = new() { Save("prestart") }, CreateRuntime = new() { Save("createRuntime") } };
        var id = b.NewId();
        var r = b.Csrun("create", "--bundle", b.Dir, id);
        r.ExitCode.Should().Be(0, r.ToString());
        int pid = System.Text.Json.JsonDocument.Parse(b.Csrun("state", id).Stdout).RootElement.GetProperty("pid").GetInt32();
        foreach (var name in new[] { "prestart", "createRuntime" })
        {
            var hookState = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(b.Dir, name))).RootElement;
            hookState.GetProperty("status").GetString().Should().Be("creating", name);
            hookState.GetProperty("pid").GetInt32().Should().Be(pid, name);
            hookState.GetProperty("id").GetString().Should().Be(id, name);
        }
        b.Csrun("delete", "-f", id).ExitCode.Should().Be(0);
        TestHost.Reap(pid);
        Leftovers.AssertNone(b, id);
    }

    [Fact]
    public void Start_returns_and_poststart_hooks_run_only_after_the_user_program_was_executed()
    {
        // runtime.md: "running" means the process has executed the user-specified program;
        // config.md: poststart hooks run after that, before start returns. A slow startContainer
        // hook (run by the init between the exec fifo and execve) used to let start return and
        // the poststart hooks run while the init was still csrun.
        using var b = new Bundle("sleep", "10");
        string exeSeen = Path.Combine(b.Dir, "poststart-exe");
        b.Config.Hooks = new HooksConfig
        {
            StartContainer = new() { new Hook { Path = "/bin/sleep", Args = new() { "sleep", "1" } } },
            Poststart = new() { new Hook { Path = Path.Combine(b.Rootfs, "bin", "sh"), Args = new() { "sh", "-c",
                $"pid=$(sed 's/.*\"pid\":\\([0-9]*\\).*/\\1/'); readlink /proc/$pid/exe > {exeSeen}" } } },
        };
        var id = b.NewId();
        b.Csrun("create", "--bundle", b.Dir, id).ExitCode.Should().Be(0);
        int pid = System.Text.Json.JsonDocument.Parse(b.Csrun("state", id).Stdout).RootElement.GetProperty("pid").GetInt32();
        var start = b.Csrun("start", id);
        start.ExitCode.Should().Be(0, start.ToString());
        const string busybox = "/bin/busybox"; // as the init's root (pivoted) shows it
        new FileInfo($"/proc/{pid}/exe").LinkTarget.Should().Be(busybox, "start returned, so the user program runs");
        File.ReadAllText(exeSeen).Trim().Should().Be(busybox, "the poststart hook ran after the execve");
        b.Csrun("delete", "-f", id).ExitCode.Should().Be(0);
        TestHost.Reap(pid);
        Leftovers.AssertNone(b, id);
    }
}
