using CsRun.Spec;
using System.Text.Json;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Integration;

/// <summary>OCI hooks: each phase runs at its moment, in the right namespace, with the state on stdin.</summary>
public class HookTests
{
    /// <summary>A hook that appends "phase status pid-ns" and its stdin to a log on the host.</summary>
    static Hook Logger(string log, string phase, int? timeout = null) => new()
    {
        Path = "/bin/sh",
        Args = new() { "sh", "-c", $"read state; echo \"{phase} $(readlink /proc/self/ns/mnt) $state\" >> {log}" },
        Timeout = timeout,
    };

    [Fact]
    public void Every_phase_runs_in_order_with_the_state_on_stdin()
    {
        using var b = new Bundle("true");
        string log = Path.Combine(b.Dir, "hooks.log");
        b.Config.Hooks = new()
        {
            Prestart = new() { Logger(log, "prestart") },
            CreateRuntime = new() { Logger(log, "createRuntime") },
            CreateContainer = new() { Logger(log, "createContainer") },
            Poststart = new() { Logger(log, "poststart") },
            Poststop = new() { Logger(log, "poststop") },
        };
        var id = b.NewId();
        var created = b.Csrun("create", "-b", b.Dir, id);
        created.ExitCode.Should().Be(0, created.ToString());
        b.Csrun("start", id).ExitCode.Should().Be(0);
        LifecycleTests.WaitFor(() => b.Csrun("state", id).Stdout.Contains("stopped"));
        b.Csrun("delete", id).ExitCode.Should().Be(0);

        var lines = File.ReadAllLines(log);
        lines.Select(l => l.Split(' ')[0]).Should().Equal("prestart", "createRuntime", "createContainer", "poststart", "poststop");
        string hostMnt = new FileInfo("/proc/self/ns/mnt").LinkTarget!;
        lines[0].Split(' ')[1].Should().Be(hostMnt, "prestart runs in the runtime's namespace");
        lines[2].Split(' ')[1].Should().NotBe(hostMnt, "createContainer runs in the container's mount namespace");
        foreach (var line in lines)
        {
            var state = JsonDocument.Parse(line[(line.IndexOf('{'))..]).RootElement;
            state.GetProperty("id").GetString().Should().Be(id);
            state.GetProperty("bundle").GetString().Should().Be(b.Dir);
        }
        // runc 1.1.5 and its current code give the hooks that run inside create "creating".
        lines.Select(l => JsonDocument.Parse(l[l.IndexOf('{')..]).RootElement.GetProperty("status").GetString())
            .Should().Equal("creating", "creating", "creating", "running", "stopped");
    }

    [Fact]
    public void StartContainer_hooks_run_inside_the_container_after_start()
    {
        using var b = new Bundle("true");
        b.Config.Root!.Readonly = false;
        b.Config.Hooks = new()
        {
            StartContainer = new() { new() { Path = "/bin/sh", Args = new() { "sh", "-c", "read s; echo \"$s\" > /started; hostname >> /started" } } },
        };
        var r = b.Run();
        r.ExitCode.Should().Be(0, r.ToString());
        var written = File.ReadAllLines(Path.Combine(b.Rootfs, "started"));
        JsonDocument.Parse(written[0]).RootElement.GetProperty("status").GetString().Should().Be("created");
        written[1].Should().Be("csrun", "the hook runs in the container's uts namespace");
    }

    [Fact]
    public void A_failing_prestart_hook_fails_create_and_leaves_nothing()
    {
        using var b = new Bundle("true");
        b.Config.Hooks = new() { Prestart = new() { new() { Path = "/bin/false" } } };
        var id = b.NewId();
        var r = b.Csrun("create", "-b", b.Dir, id);
        r.ExitCode.Should().Be(1);
        r.Stderr.Should().Contain("hooks.prestart[0]").And.Contain("/bin/false").And.Contain("exit status 1");
        Leftovers.AssertNone(b, id);
    }

    [Fact]
    public void A_hook_past_its_timeout_is_killed_and_fails_create()
    {
        using var b = new Bundle("true");
        b.Config.Hooks = new() { CreateRuntime = new() { new() { Path = "/bin/sleep", Args = new() { "sleep", "30" }, Timeout = 1 } } };
        var id = b.NewId();
        var started = DateTime.UtcNow;
        var r = b.Csrun("create", "-b", b.Dir, id);
        r.ExitCode.Should().Be(1);
        r.Stderr.Should().Contain("hooks.createRuntime[0]").And.Contain("timed out");
        (DateTime.UtcNow - started).Should().BeLessThan(TimeSpan.FromSeconds(20));
        Leftovers.AssertNone(b, id);
    }

    /// <summary>
    /// Spec 1.3 (runtime.md step 9): a failing poststart hook is an error, the container is
    /// stopped and the lifecycle goes on at its destruction; runc kills the container and
    /// `start` fails. The hooks after the failed one do not run; poststop runs at delete.
    /// </summary>
    [Fact]
    public void A_failing_poststart_hook_fails_start_and_stops_the_container()
    {
        using var b = new Bundle("sleep", "100");
        string log = Path.Combine(b.Dir, "hooks.log");
        b.Config.Hooks = new()
        {
            Poststart = new() { new() { Path = "/bin/false" }, Logger(log, "poststart-after") },
            Poststop = new() { Logger(log, "poststop") },
        };
        var id = b.NewId();
        b.Csrun("create", "-b", b.Dir, id).ExitCode.Should().Be(0);
        int pid = System.Text.Json.JsonDocument.Parse(b.Csrun("state", id).Stdout).RootElement.GetProperty("pid").GetInt32();
        var r = b.Csrun("start", id);
        r.ExitCode.Should().Be(1, r.ToString());
        r.Stderr.Should().Contain("hooks.poststart[0]").And.Contain("/bin/false").And.Contain("exit status 1");
        b.Csrun("state", id).Stdout.Should().Contain("\"stopped\"", "the container was stopped");
        File.Exists(log).Should().BeFalse("no hook runs after the failed one");
        b.Csrun("delete", id).ExitCode.Should().Be(0);
        File.ReadAllText(log).Should().StartWith("poststop");
        TestHost.Reap(pid);

        // run: the error, and nothing left (run destroys what it created).
        b.Config.Hooks.Poststop = null;
        var runId = b.NewId();
        r = b.Csrun("run", "-b", b.Dir, runId);
        r.ExitCode.Should().Be(1, r.ToString());
        r.Stderr.Should().Contain("hooks.poststart[0]");
        Leftovers.AssertNone(b, runId);
    }

    /// <summary>
    /// runc 1.1.5 runs createContainer hooks from its init, in the container's mount namespace
    /// before pivot_root, after chdir to the rootfs: a relative path lands in the rootfs, never
    /// in the host's `/` (csrun's hooks had the mount namespace's root as their cwd).
    /// </summary>
    [Fact]
    public void A_createContainer_hook_writes_a_relative_path_into_the_rootfs_not_the_hosts_root()
    {
        using var b = new Bundle("true");
        string name = "csrun-hook-relative-" + Guid.NewGuid().ToString("N")[..8];
        b.Config.Hooks = new() { CreateContainer = new() { new() { Path = "/bin/sh", Args = new() { "sh", "-c", $"touch {name}" } } } };
        try
        {
            var r = b.Run();
            r.ExitCode.Should().Be(0, r.ToString());
            File.Exists(Path.Combine("/", name)).Should().BeFalse("the hook must not write into the host's /");
            File.Exists(Path.Combine(b.Rootfs, name)).Should().BeTrue("runc's cwd for createContainer hooks is the rootfs");
        }
        finally { File.Delete(Path.Combine("/", name)); }
    }

    /// <summary>
    /// Where each hook runs and what a hook without `env` gets, as runc 1.1.5 gives them:
    /// prestart, createRuntime and poststart in the bundle with the runtime's environment,
    /// createContainer in the rootfs with process.env, startContainer in process.cwd with
    /// process.env and HOME, poststop in the runtime's cwd with its environment. A hook with
    /// `env` gets exactly that.
    /// </summary>
    [Fact]
    public void Hooks_without_env_get_runcs_environment_and_working_directory()
    {
        using var b = new Bundle("true");
        b.Config.Root!.Readonly = false;
        b.Config.Process!.Env = new() { "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "FROM_PROCESS=yes" };
        string Dump(string file) => $"{{ echo CWD=$(pwd); env; }} > {file}";
        Hook Host(string phase) => new() { Path = "/bin/sh", Args = new() { "sh", "-c", Dump(Path.Combine(b.Dir, phase + ".env")) } };
        b.Config.Hooks = new()
        {
            Prestart = new() { Host("prestart") },
            CreateRuntime = new() { Host("createRuntime") },
            CreateContainer = new() { Host("createContainer") },
            StartContainer = new()
            {
                new() { Path = "/bin/sh", Args = new() { "sh", "-c", Dump("/startContainer.env") } },
                new() { Path = "/bin/sh", Args = new() { "sh", "-c", Dump("/given.env") }, Env = new() { "ONLY=this" } },
            },
            Poststart = new() { Host("poststart") },
            Poststop = new() { Host("poststop") },
        };
        var r = b.CsrunEnv(new Dictionary<string, string> { ["CSRUN_HOOK_TEST"] = "from-csrun" }, "run", "-b", b.Dir, b.NewId());
        r.ExitCode.Should().Be(0, r.ToString());

        Dictionary<string, string> Read(string path) => File.ReadAllLines(path).Where(l => l.Contains('='))
            .GroupBy(l => l[..l.IndexOf('=')]).ToDictionary(g => g.Key, g => g.Last()[(g.Key.Length + 1)..]);
        foreach (var phase in new[] { "prestart", "createRuntime", "poststart", "poststop" })
        {
            var env = Read(Path.Combine(b.Dir, phase + ".env"));
            env.Should().ContainKey("CSRUN_HOOK_TEST").WhoseValue.Should().Be("from-csrun", $"{phase} gets the runtime's environment");
            env.Should().NotContainKey("FROM_PROCESS");
            env["CWD"].Should().Be(phase == "poststop" ? Environment.CurrentDirectory : b.Dir, $"{phase}'s working directory");
        }
        var cc = Read(Path.Combine(b.Dir, "createContainer.env"));
        cc["FROM_PROCESS"].Should().Be("yes", "createContainer gets process.env");
        cc.Should().NotContainKey("CSRUN_HOOK_TEST").And.NotContainKey("HOME", "runc sets HOME only after the createContainer hooks");
        cc["CWD"].Should().Be(b.Rootfs);
        var sc = Read(Path.Combine(b.Rootfs, "startContainer.env"));
        sc["FROM_PROCESS"].Should().Be("yes", "startContainer gets the process's environment");
        sc["HOME"].Should().Be("/root", "HOME from the container's /etc/passwd, as the process gets it");
        sc.Should().NotContainKey("CSRUN_HOOK_TEST");
        sc["CWD"].Should().Be("/");
        var given = Read(Path.Combine(b.Rootfs, "given.env"));
        given["ONLY"].Should().Be("this");
        given.Should().NotContainKey("FROM_PROCESS").And.NotContainKey("HOME");
    }

    /// <summary>
    /// runc 1.1.5 runs startContainer hooks from its init right before the execve, after
    /// no_new_privs and the seccomp filter (early or late) are in place, so a hook is held to
    /// the profile. csrun loaded the late filter (noNewPrivileges) only after the hooks.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void StartContainer_hooks_run_under_the_seccomp_filter_and_no_new_privs(bool noNewPrivileges)
    {
        using var b = new Bundle("true");
        b.Config.Root!.Readonly = false;
        b.Config.Process!.NoNewPrivileges = noNewPrivileges;
        b.Config.Linux!.Seccomp = new()
        {
            DefaultAction = "SCMP_ACT_ALLOW",
            Syscalls = new() { new() { Names = new() { "mkdir", "mkdirat" }, Action = "SCMP_ACT_ERRNO", ErrnoRet = 1 } },
        };
        b.Config.Hooks = new()
        {
            StartContainer = new()
            {
                new() { Path = "/bin/sh", Args = new() { "sh", "-c", "mkdir /hookdir 2>/hook-err; echo $? > /hook-rc; grep -E '^(NoNewPrivs|Seccomp):' /proc/self/status > /hook-status" } },
            },
        };
        var r = b.Run();
        r.ExitCode.Should().Be(0, r.ToString());
        Directory.Exists(Path.Combine(b.Rootfs, "hookdir")).Should().BeFalse("the profile denies mkdir to the hook too");
        File.ReadAllText(Path.Combine(b.Rootfs, "hook-rc")).Trim().Should().Be("1");
        File.ReadAllText(Path.Combine(b.Rootfs, "hook-err")).Should().Contain("Operation not permitted");
        var status = File.ReadAllText(Path.Combine(b.Rootfs, "hook-status"));
        status.Should().MatchRegex(@"Seccomp:\s+2").And.MatchRegex($@"NoNewPrivs:\s+{(noNewPrivileges ? 1 : 0)}");
    }

    [Fact]
    public void A_hook_step_that_fails_before_the_exec_is_named()
    {
        using var b = new Bundle("true");
        b.Config.Hooks = new() { CreateContainer = new() { new() { Path = "/nonexistent-hook" } } };
        var id = b.NewId();
        var r = b.Csrun("create", "-b", b.Dir, id);
        r.ExitCode.Should().Be(1);
        r.Stderr.Should().Contain("hooks.createContainer[0]: /nonexistent-hook: find /nonexistent-hook: no such file or directory");
        Leftovers.AssertNone(b, id);
    }

    /// <summary>
    /// A startContainer hook runs under the filter, and so does the init that waits for it: a
    /// profile denying wait4 fails the start naming wait4 (before, the failed wait read as
    /// status 0 and the process was exec'd while the hook might still run).
    /// </summary>
    [Fact]
    public void A_startContainer_hook_whose_wait_the_profile_denies_fails_naming_wait4()
    {
        using var b = new Bundle("echo", "main ran");
        b.Config.Linux!.Seccomp = new()
        {
            DefaultAction = "SCMP_ACT_ALLOW",
            Syscalls = new() { new() { Names = new() { "wait4", "waitid" }, Action = "SCMP_ACT_ERRNO", ErrnoRet = 1 } },
        };
        b.Config.Hooks = new() { StartContainer = new() { new() { Path = "/bin/true" } } };
        var id = b.NewId();
        var r = b.Csrun("run", "-b", b.Dir, id);
        r.ExitCode.Should().Be(1, r.ToString());
        r.Stdout.Should().NotContain("main ran");
        r.Stderr.Should().Contain("hooks.startContainer[0]: run startContainer hook /bin/true: wait4 for the hook: operation not permitted (EPERM)");
        Leftovers.AssertNone(b, id);
    }
}
