using System.Text.Json;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Integration;

/// <summary>OCI hooks: each phase runs at its moment, in the right namespace, with the state on stdin.</summary>
public class HookTests
{
    /// <summary>A hook that appends "phase status pid-ns" and its stdin to a log on the host.</summary>
    static global::CsRun.Spec.Hook Logger(string log, string phase, int? timeout = null) => new()
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
        JsonDocument.Parse(lines[0][lines[0].IndexOf('{')..]).RootElement.GetProperty("status").GetString().Should().Be("created", "runtime.md: the state hooks get at create is \"created\"");
        JsonDocument.Parse(lines[4][lines[4].IndexOf('{')..]).RootElement.GetProperty("status").GetString().Should().Be("stopped");
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

    [Fact]
    public void A_failing_poststart_hook_is_a_warning()
    {
        using var b = new Bundle("true");
        b.Config.Hooks = new() { Poststart = new() { new() { Path = "/bin/false" } } };
        var r = b.Run();
        r.ExitCode.Should().Be(0, r.ToString());
        r.Stderr.Should().Contain("hooks.poststart[0]");
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
}
