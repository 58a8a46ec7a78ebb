using CsRun.Tests.Integration;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Clients;

/// <summary>
/// podman 4.3 with `--runtime out/csrun`: conmon runs `csrun create`, podman then calls start,
/// state, kill, pause, resume and delete, as it does with runc. Every test ends with nothing left.
/// </summary>
[Collection(ClientsCollection.Name)]
public sealed class PodmanTests : IDisposable
{
    readonly ClientsFixture _fixture;
    Podman P => _fixture.Podman;
    string Image => _fixture.Image;

    public PodmanTests(ClientsFixture fixture) => _fixture = fixture;

    /// <summary>Checked at the end of each test; then whatever a failed test left is removed.</summary>
    void AssertNothingLeft() => P.Leftovers().Should().BeEmpty("podman rm and csrun delete must leave nothing behind");

    public void Dispose()
    {
        if (_fixture.PodmanStarted) P.RemoveAll();
    }

    [PodmanFact]
    public void Run_prints_the_output_and_exits_zero()
    {
        RunRm(Image, "echo", "hi").Should().Be("hi\n");
    }

    [PodmanFact]
    public void Run_exits_with_the_container_exit_code()
    {
        P.Run("run", "--rm", Image, "sh", "-c", "exit 7").ExitCode.Should().Be(7);
        AssertNothingLeft();
    }

    [PodmanFact]
    public void A_missing_executable_fails_with_runc_message_and_exit_code_127()
    {
        var r = P.Run("run", "--rm", Image, "no-such-binary");
        r.ExitCode.Should().Be(127, r.ToString());
        r.Stderr.Should().Contain("exec: \"no-such-binary\": executable file not found in $PATH");
        AssertNothingLeft();
    }

    [PodmanFact]
    public void Detached_container_shows_in_ps_and_stop_delivers_sigterm_through_csrun_kill()
    {
        string name = NewName("detached");
        P.Ok("run", "-d", "--name", name, Image, "sh", "-c", "trap 'echo got TERM; exit 3' TERM; echo ready; while :; do sleep 0.1; done");
        WaitForLog(name, "ready");
        P.Ok("ps", "--format", "{{.Names}} {{.Status}}").Should().Contain(name + " Up");
        P.Inspect(name, "{{.State.Status}}").Should().Be("running");

        var started = DateTime.UtcNow;
        P.Ok("stop", "--time", "20", name);
        (DateTime.UtcNow - started).Should().BeLessThan(TimeSpan.FromSeconds(10), "the trap must see SIGTERM, not wait for the SIGKILL");
        P.Inspect(name, "{{.State.ExitCode}}").Should().Be("3");
        P.Ok("logs", name).Should().Contain("got TERM");

        P.Ok("rm", name);
        P.AllContainers().Should().BeEmpty();
        AssertNothingLeft();
    }

    [PodmanFact]
    public void Kill_sends_sigkill_and_rm_force_removes_a_running_container()
    {
        string name = NewName("killed");
        P.Ok("run", "-d", "--name", name, Image, "sleep", "100");
        P.Ok("kill", name);
        P.Ok("wait", name).Trim().Should().Be("137");
        P.Ok("run", "-d", "--name", name + "-2", Image, "sleep", "100");
        P.Ok("rm", "--force", "--time", "0", name, name + "-2");
        AssertNothingLeft();
    }

    [PodmanFact]
    public void Create_start_and_wait()
    {
        string name = NewName("created");
        P.Ok("create", "--name", name, Image, "sh", "-c", "echo started; exit 5");
        P.Inspect(name, "{{.State.Status}}").Should().Be("created");
        P.Ok("start", name);
        P.Ok("wait", name).Trim().Should().Be("5");
        P.Ok("logs", name).Should().Be("started\n");
        P.Ok("rm", name);
        AssertNothingLeft();
    }

    [PodmanFact]
    public void Pause_and_unpause_freeze_and_thaw_through_csrun()
    {
        string name = NewName("paused");
        P.Ok("run", "-d", "--name", name, Image, "sleep", "100");
        P.Ok("pause", name);
        P.Inspect(name, "{{.State.Status}}").Should().Be("paused");
        P.Ok("unpause", name);
        P.Inspect(name, "{{.State.Status}}").Should().Be("running");
        P.Ok("rm", "--force", "--time", "0", name);
        AssertNothingLeft();
    }

    [PodmanFact]
    public void Update_changes_the_limits_of_a_running_container_through_csrun_update()
    {
        string name = NewName("updated");
        P.Ok("run", "-d", "--name", name, "--memory", "128m", Image, "sleep", "100");
        int pid = int.Parse(P.Inspect(name, "{{.State.Pid}}"));
        CgroupValue(pid, "memory", "memory.limit_in_bytes", "memory.max").Should().Be((128 << 20).ToString());
        P.Ok("update", "--memory", "64m", name);
        CgroupValue(pid, "memory", "memory.limit_in_bytes", "memory.max").Should().Be((64 << 20).ToString());
        P.Ok("rm", "--force", "--time", "0", name);
        AssertNothingLeft();
    }

    [PodmanFact]
    public void Privileged_gets_every_capability_the_host_can_grant()
    {
        // This host's bounding set lacks CAP_SYS_RESOURCE: csrun warns and grants the rest.
        string hostBounding = Field(File.ReadAllText("/proc/self/status"), "CapBnd");
        string caps = RunRm("--privileged", Image, "grep", "^Cap", "/proc/self/status");
        Field(caps, "CapEff").Should().Be(hostBounding);
        Field(caps, "CapBnd").Should().Be(hostBounding);
    }

    [PodmanFact]
    public void User_option_runs_the_process_as_that_user()
    {
        RunRm("--user", "65534", Image, "id").Should().StartWith("uid=65534(nobody) gid=65534(nogroup)");
    }

    [PodmanFact]
    public void Read_only_root_with_writable_tmpfs()
    {
        RunRm("--read-only", Image, "sh", "-c", "touch /x 2>&1; echo touch-root=$?; touch /tmp/y && echo tmp-ok")
            .Should().Contain("Read-only file system").And.Contain("touch-root=1").And.Contain("tmp-ok");
    }

    [PodmanFact]
    public void Environment_workdir_and_hostname()
    {
        RunRm("-e", "GREETING=hello csrun", "-w", "/tmp", "--hostname", "csrun-box", Image, "sh", "-c", "echo \"$GREETING\"; pwd; hostname")
            .Should().Be("hello csrun\n/tmp\ncsrun-box\n");
    }

    [PodmanFact]
    public void Host_network_and_resource_limits()
    {
        RunRm("--network", "host", "--pids-limit", "50", "--memory", "64m", Image,
                "sh", "-c", "ls /sys/class/net | grep -qx lo && echo has-lo; cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids.max")
            .Should().Be("has-lo\n50\n");
    }

    [PodmanFact]
    public void Exec_runs_a_command_in_a_running_container()
    {
        string name = NewName("exec");
        P.Ok("run", "-d", "--name", name, Image, "sleep", "100");
        P.Ok("exec", name, "echo", "hi").Should().Be("hi\n");
        P.Ok("rm", "--force", "--time", "0", name);
        AssertNothingLeft();
    }

    [PodmanFact]
    public void Tty_gives_the_container_a_terminal_through_the_console_socket()
    {
        RunRm("-t", Image, "tty").Trim().Should().Be("/dev/pts/0");
        string name = NewName("ttyexec");
        P.Ok("run", "-d", "--name", name, Image, "sleep", "100");
        P.Ok("exec", "-t", name, "tty").Trim().Should().StartWith("/dev/pts/");
        P.Ok("rm", "--force", "--time", "0", name);
        AssertNothingLeft();
    }

    static string NewName(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>`podman run --rm` that must succeed and leave nothing behind; returns its stdout.</summary>
    string RunRm(params string[] args)
    {
        var r = P.Run(new[] { "run", "--rm" }.Concat(args).ToArray());
        r.ExitCode.Should().Be(0, r.ToString());
        AssertNothingLeft();
        return r.Stdout;
    }

    void WaitForLog(string name, string text) =>
        LifecycleTests.WaitFor(() => P.Run("logs", name).Stdout.Contains(text));

    /// <summary>A cgroup file of a process, read on the host: its v1 controller's, else cgroup v2's.</summary>
    static string CgroupValue(int pid, string v1Controller, string v1File, string v2File)
    {
        var lines = File.ReadAllLines($"/proc/{pid}/cgroup").Select(l => l.Split(':', 3)).ToList();
        var v1 = lines.FirstOrDefault(f => f[1].Split(',').Contains(v1Controller));
        string file = v1 != null ? $"/sys/fs/cgroup/{v1Controller}{v1[2]}/{v1File}" : $"/sys/fs/cgroup{lines.First(f => f[0] == "0")[2]}/{v2File}";
        return File.ReadAllText(file).Trim();
    }

    static string Field(string status, string name) =>
        status.Split('\n').First(l => l.StartsWith(name + ":"))[(name.Length + 1)..].Trim();
}
