using CsRun.Spec;
using System.Text.Json;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Integration;

/// <summary>
/// Every way create can fail ends in one clear error and leaves nothing behind. Failures are
/// injected at each step of the transaction (CSRUN_TEST_FAIL_AT) and provoked in the child.
/// </summary>
public class FailureTests
{
    [Theory]
    [InlineData("statedir")]
    [InlineData("fifo")]
    [InlineData("cgroup")]
    [InlineData("compile")]
    [InlineData("clone")]
    [InlineData("ready")]
    public void An_injected_failure_at_any_create_step_leaves_the_host_clean(string step)
    {
        using var b = new Bundle("sleep", "100");
        var id = b.NewId();
        var r = b.CsrunEnv(new Dictionary<string, string> { ["CSRUN_TEST_FAIL_AT"] = step }, "create", "-b", b.Dir, id);
        r.ExitCode.Should().Be(1, r.ToString());
        r.Stderr.Should().Contain($"injected failure at {step}");
        Leftovers.AssertNone(b, id);
        b.Csrun("list", "-q").Stdout.Should().BeEmpty();
    }

    [Fact]
    public void A_mount_failure_in_the_child_names_the_field_the_path_and_the_errno()
    {
        using var b = new Bundle("true");
        b.Config.Mounts!.Add(new MountEntry { Destination = "/mnt/x", Type = "no-such-fs", Source = "none" });
        var id = b.NewId();
        var r = b.Csrun("create", "-b", b.Dir, id);
        r.ExitCode.Should().Be(1);
        r.Stderr.Should().Contain("mounts[7]").And.Contain("/mnt/x").And.Contain("no such device").And.Contain("ENODEV");
        Leftovers.AssertNone(b, id);
    }

    [Fact]
    public void A_cgroup_the_child_cannot_join_names_the_tasks_file_and_the_errno()
    {
        // A realtime process may not join a v1 cpu cgroup without a realtime budget (EINVAL):
        // csrun under chrt hands its policy to the child, which then fails to join by itself.
        if (!File.Exists("/sys/fs/cgroup/cpu/cpu.rt_runtime_us")) return;
        using var b = new Bundle("true");
        var id = b.NewId();
        b.Save();
        var r = CsrunCli.RunProgram("chrt", new[] { "-f", "1", TestHost.Csrun, "--root", b.StateRoot, "run", "-b", b.Dir, id });
        r.ExitCode.Should().Be(1, r.ToString());
        r.Stderr.Should().MatchRegex(@"linux\.cgroupsPath: join the cgroup: write 0 to /sys/fs/cgroup/cpu[^/]*/\S*" + id + @"/tasks: .*\(EINVAL\)");
        Leftovers.AssertNone(b, id);
    }

    [Fact]
    public void A_failed_create_removes_the_parent_cgroups_it_made_too()
    {
        using var b = new Bundle("true");
        var id = b.NewId();
        string top = "csrun-nest-" + id;
        b.Config.Linux!.CgroupsPath = $"/{top}/inner/{id}";
        b.Config.Linux.Resources = new Resources { Cpu = new CpuResources { Cpus = "9999" } };
        b.Save();
        var r = b.Csrun("create", "-b", b.Dir, id);
        r.ExitCode.Should().Be(1, r.ToString());
        r.Stderr.Should().Contain("linux.resources.cpu.cpus").And.Contain("cpuset.cpus");
        Leftovers.AssertNone(b, id);
        Leftovers.CgroupDirs(top).Should().BeEmpty("csrun made /{0} and /{0}/inner for this container", top);
    }

    [Fact]
    public void A_bad_sysctl_fails_after_pivot_root_and_leaves_nothing()
    {
        using var b = new Bundle("true");
        b.Config.Linux!.Sysctl = new() { ["net.ipv4.no_such_knob"] = "1" };
        var id = b.NewId();
        var r = b.Csrun("run", "-b", b.Dir, id);
        r.ExitCode.Should().Be(1);
        r.Stderr.Should().Contain("linux.sysctl[\"net.ipv4.no_such_knob\"]").And.Contain("/proc/sys/net/ipv4/no_such_knob");
        Leftovers.AssertNone(b, id);
    }

    [Fact]
    public void A_failing_create_writes_exactly_one_json_error_to_the_log()
    {
        using var b = new Bundle("no-such-binary");
        var id = b.NewId();
        string log = Path.Combine(b.Dir, "csrun.log");
        b.Save();
        var r = CsrunCli.Run(new[] { "--root", b.StateRoot, "--log", log, "--log-format", "json", "create", "-b", b.Dir, id });
        r.ExitCode.Should().Be(1);
        var errors = File.ReadAllLines(log).Select(l => JsonDocument.Parse(l).RootElement)
            .Where(e => e.GetProperty("level").GetString() == "error").ToList();
        errors.Should().HaveCount(1);
        errors[0].GetProperty("msg").GetString().Should().Contain("executable file not found in $PATH");
        errors[0].TryGetProperty("time", out _).Should().BeTrue();
        Leftovers.AssertNone(b, id);
    }

    [Fact]
    public void Bad_config_is_refused_before_anything_is_created()
    {
        using var b = new Bundle("true");
        b.Config.Mounts![0].Destination = ""; // (a relative one is accepted since spec 1.2: "relative to /")
        var id = b.NewId();
        var r = b.Csrun("create", "-b", b.Dir, id);
        r.ExitCode.Should().Be(1);
        r.Stderr.Should().Contain("mounts[0].destination");
        Leftovers.AssertNone(b, id);
    }
}
