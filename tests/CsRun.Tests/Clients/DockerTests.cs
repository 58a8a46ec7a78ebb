using System.Text.Json;
using System.Text.RegularExpressions;
using CsRun.Tests.Integration;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Clients;

/// <summary>
/// Debian's dockerd 20.10 with csrun registered in daemon.json and chosen by `docker run --runtime
/// csrun`; every scenario runs with runc too, docker's own default, on the same daemon. dockerd
/// reaches the runtime through its containerd and the runc v2 shim: create, start, state, exec,
/// kill, ps (docker top), pause, resume, update and delete.
/// </summary>
[Collection(ClientsCollection.Name)]
public sealed class DockerTests : IDisposable
{
    readonly ClientsFixture _fixture;
    Docker D => _fixture.Docker;

    public DockerTests(ClientsFixture fixture) => _fixture = fixture;

    public void Dispose()
    {
        if (_fixture.DockerStarted) D.RemoveAll();
    }

    static string NewName(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>`docker run -d` with the runtime, no network, and the busybox image; returns the full id.</summary>
    string RunDetached(string runtime, string name, string[] options, params string[] command)
    {
        var args = new[] { "run", "--detach", "--name", name, "--runtime", runtime, "--network", "none" }
            .Concat(options).Append(_fixture.Image).Concat(command).ToArray();
        return D.Ok(args);
    }

    /// <summary>
    /// The container really runs under <paramref name="runtime"/>: docker says so, and that
    /// runtime's own `state` finds it in the shim's --root with <paramref name="status"/>. csrun
    /// also keeps its create journal there, which runc does not have.
    /// </summary>
    void AssertRuntime(string runtime, string name, string status = "running")
    {
        D.Inspect(name, "{{.HostConfig.Runtime}}").Should().Be(runtime);
        string id = D.Inspect(name, "{{.Id}}");
        var r = CsrunCli.RunProgram(runtime == "csrun" ? TestHost.Csrun : "runc", new[] { "--root", D.RuntimeRoot, "state", id });
        r.ExitCode.Should().Be(0, $"{runtime} state must find the container: {r}");
        using var state = JsonDocument.Parse(r.Stdout);
        state.RootElement.GetProperty("status").GetString().Should().Be(status);
        File.Exists(Path.Combine(D.StateDir(id), "create.journal")).Should().Be(runtime == "csrun", "only csrun writes a create journal");
    }

    void AssertNothingLeft()
    {
        D.WaitForShimsToExit();
        D.Leftovers().Should().BeEmpty("docker rm and the runtime's delete must leave nothing behind");
    }

    /// <summary>A file of the container's cgroup on the host: v1 per controller, or the v2 unified tree.</summary>
    string CgroupFile(string id, string v1Controller, string v1File, string v2File) =>
        File.Exists("/sys/fs/cgroup/cgroup.controllers")
            ? Path.Combine("/sys/fs/cgroup", D.CgroupParent, id, v2File)
            : Path.Combine("/sys/fs/cgroup", v1Controller, D.CgroupParent, id, v1File);

    [DockerTheory]
    [InlineData("csrun")]
    [InlineData("runc")]
    public void Run_rm_passes_output_through_and_exits_with_the_container_status(string runtime)
    {
        string name = NewName("rm");
        // The container waits for a file so the test can see who runs it before it exits.
        var run = Task.Run(() => D.Run("run", "--rm", "--name", name, "--runtime", runtime, "--network", "none", _fixture.Image,
            "sh", "-c", "echo hi; echo oops >&2; while [ ! -e /tmp/go ]; do sleep 0.05; done; exit 7"));
        LifecycleTests.WaitFor(() => run.IsCompleted || D.Run("inspect", "--format", "{{.State.Running}}", name).Stdout.Trim() == "true");
        run.IsCompleted.Should().BeFalse(run.IsCompleted ? run.Result.ToString() : "");
        AssertRuntime(runtime, name);
        D.Ok("exec", name, "touch", "/tmp/go");

        run.Wait(TimeSpan.FromSeconds(60)).Should().BeTrue();
        var r = run.Result;
        r.ExitCode.Should().Be(7, r.ToString());
        r.Stdout.Should().Be("hi\n");
        r.Stderr.Should().Be("oops\n");
        AssertNothingLeft();
    }

    [DockerTheory]
    [InlineData("csrun")]
    [InlineData("runc")]
    public void Detached_container_execs_stops_and_is_removed(string runtime)
    {
        string name = NewName("detached");
        string id = RunDetached(runtime, name, Array.Empty<string>(),
            "sh", "-c", "trap 'echo got TERM; exit 3' TERM; echo ready; while :; do sleep 0.1; done");
        LifecycleTests.WaitFor(() => D.Ok("logs", name).Contains("ready"));
        AssertRuntime(runtime, name);

        var r = D.Run("exec", "--env", "GREETING=hello docker", "--workdir", "/tmp", name, "sh", "-c", "echo \"$GREETING\"; pwd; exit 5");
        r.ExitCode.Should().Be(5, r.ToString());
        r.Stdout.Should().Be("hello docker\n/tmp\n");

        D.Ok("stop", "--time", "10", name);
        D.Inspect(name, "{{.State.Status}} {{.State.ExitCode}}").Should().Be("exited 3");
        D.Ok("logs", name).Should().Contain("got TERM");
        Directory.Exists(D.StateDir(id)).Should().BeFalse("the shim deletes the stopped container from the runtime");

        D.Ok("rm", name);
        AssertNothingLeft();
    }

    /// <summary>`docker exec -t` and `run -t` need no terminal on the client's side as long as stdin is not attached (-i).</summary>
    [DockerTheory]
    [InlineData("csrun")]
    [InlineData("runc")]
    public void Exec_and_run_with_a_tty_get_a_pty_through_the_console_socket(string runtime)
    {
        string name = NewName("tty");
        RunDetached(runtime, name, Array.Empty<string>(), "sleep", "1000");
        AssertRuntime(runtime, name);

        var r = D.Run("exec", "--tty", name, "sh", "-c", "tty; echo out");
        r.ExitCode.Should().Be(0, r.ToString());
        r.Stdout.Should().MatchRegex(@"^/dev/pts/\d+\r\nout\r\n$", "a pty turns \\n into \\r\\n");

        r = D.Run("run", "--rm", "--tty", "--runtime", runtime, "--network", "none", _fixture.Image, "sh", "-c", "tty; exit 4");
        r.ExitCode.Should().Be(4, r.ToString());
        r.Stdout.Should().MatchRegex(@"^/dev/pts/\d+\r\n$");

        D.Ok("rm", "--force", name);
        AssertNothingLeft();
    }

    [DockerTheory]
    [InlineData("csrun")]
    [InlineData("runc")]
    public void Memory_and_pids_limits_land_in_the_container_cgroup_and_update_live(string runtime)
    {
        string name = NewName("limits");
        string id = RunDetached(runtime, name, new[] { "--memory", "64m", "--pids-limit", "50" }, "sleep", "1000");
        AssertRuntime(runtime, name);

        string memory = CgroupFile(id, "memory", "memory.limit_in_bytes", "memory.max");
        string pids = CgroupFile(id, "pids", "pids.max", "pids.max");
        File.ReadAllText(memory).Trim().Should().Be("67108864");
        File.ReadAllText(pids).Trim().Should().Be("50");
        int pid = int.Parse(D.Inspect(name, "{{.State.Pid}}"));
        File.ReadAllText($"/proc/{pid}/cgroup").Should().Contain($"/{D.CgroupParent}/{id}\n");
        if (!File.Exists("/sys/fs/cgroup/cgroup.controllers"))
            D.Ok("exec", name, "cat", "/sys/fs/cgroup/memory/memory.limit_in_bytes", "/sys/fs/cgroup/pids/pids.max")
                .Should().Be("67108864\n50", "the container sees its own cgroup as its /sys/fs/cgroup");

        // docker update goes through the runtime's update.
        D.Ok("update", "--pids-limit", "60", name);
        File.ReadAllText(pids).Trim().Should().Be("60");

        D.Ok("rm", "--force", name);
        AssertNothingLeft();
    }

    [DockerTheory]
    [InlineData("csrun")]
    [InlineData("runc")]
    public void Pause_freezes_and_unpause_thaws(string runtime)
    {
        string name = NewName("pause");
        string id = RunDetached(runtime, name, Array.Empty<string>(), "sleep", "1000");
        bool v2 = File.Exists("/sys/fs/cgroup/cgroup.controllers");
        string freezer = CgroupFile(id, "freezer", "freezer.state", "cgroup.freeze");

        D.Ok("pause", name);
        D.Inspect(name, "{{.State.Status}}").Should().Be("paused");
        AssertRuntime(runtime, name, "paused");
        File.ReadAllText(freezer).Trim().Should().Be(v2 ? "1" : "FROZEN");

        D.Ok("unpause", name);
        D.Inspect(name, "{{.State.Status}}").Should().Be("running");
        AssertRuntime(runtime, name);
        File.ReadAllText(freezer).Trim().Should().Be(v2 ? "0" : "THAWED");
        D.Ok("exec", name, "echo", "thawed").Should().Be("thawed");

        D.Ok("rm", "--force", name);
        AssertNothingLeft();
    }

    [DockerTheory]
    [InlineData("csrun")]
    [InlineData("runc")]
    public void Top_lists_the_container_processes(string runtime)
    {
        string name = NewName("top");
        RunDetached(runtime, name, Array.Empty<string>(), "sh", "-c", "sleep 1001 & exec sleep 1002");
        AssertRuntime(runtime, name);
        int pid = int.Parse(D.Inspect(name, "{{.State.Pid}}"));
        LifecycleTests.WaitFor(() => D.Ok("top", name).Contains("sleep 1001"));

        // `docker top` asks the runtime's ps for the pids, then runs the host's ps -ef over them.
        var rows = D.Ok("top", name).Split('\n').Skip(1).Select(l => Regex.Split(l.Trim(), @"\s{2,}")).ToList();
        rows.Should().HaveCount(2, string.Join("\n", rows.Select(r => string.Join("|", r))));
        rows.Select(r => r[^1]).Should().BeEquivalentTo(new[] { "sleep 1001", "sleep 1002" });
        rows.Select(r => r[1]).Should().Contain(pid.ToString());

        D.Ok("rm", "--force", name);
        AssertNothingLeft();
    }

    [DockerTheory]
    [InlineData("csrun")]
    [InlineData("runc")]
    public void Restart_runs_a_new_init_under_the_same_runtime(string runtime)
    {
        string name = NewName("restart");
        RunDetached(runtime, name, Array.Empty<string>(), "sh", "-c", "trap 'exit 0' TERM; echo started; while :; do sleep 0.1; done");
        LifecycleTests.WaitFor(() => D.Ok("logs", name).Contains("started"));
        int before = int.Parse(D.Inspect(name, "{{.State.Pid}}"));

        D.Ok("restart", "--time", "10", name);
        D.Inspect(name, "{{.State.Status}}").Should().Be("running");
        int after = int.Parse(D.Inspect(name, "{{.State.Pid}}"));
        after.Should().NotBe(before);
        LifecycleTests.WaitFor(() => Regex.Count(D.Ok("logs", name), "started") == 2);
        AssertRuntime(runtime, name);

        D.Ok("rm", "--force", name);
        AssertNothingLeft();
    }
}
