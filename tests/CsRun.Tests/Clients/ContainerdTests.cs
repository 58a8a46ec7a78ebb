using CsRun.Tests.Integration;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Clients;

/// <summary>
/// containerd 1.6 with the stock runc v2 shim running csrun (`ctr run --runc-binary`). The shim
/// calls csrun's create, start, state, kill, ps, pause, resume and delete, and on failure reads
/// the last error of csrun's `--log` file (json) into the message ctr prints.
/// </summary>
[Collection(ClientsCollection.Name)]
public sealed class ContainerdTests : IDisposable
{
    readonly ClientsFixture _fixture;
    Containerd C => _fixture.Containerd;

    public ContainerdTests(ClientsFixture fixture) => _fixture = fixture;

    void AssertNothingLeft()
    {
        C.WaitForShimsToExit();
        C.Leftovers().Should().BeEmpty("ctr task delete, container delete and csrun delete must leave nothing behind");
    }

    public void Dispose()
    {
        if (_fixture.ContainerdStarted) C.RemoveAll();
    }

    static string NewId(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..8];

    [ContainerdFact]
    public void Run_passes_stdout_and_stderr_through_and_exits_zero()
    {
        var r = C.Run(new[] { "--rm" }, NewId("echo"), "sh", "-c", "echo hi; echo oops >&2");
        r.ExitCode.Should().Be(0, r.ToString());
        r.Stdout.Should().Be("hi\n");
        r.Stderr.Should().Be("oops\n");
        AssertNothingLeft();
    }

    [ContainerdFact]
    public void Run_exits_with_the_container_exit_code()
    {
        C.Run(new[] { "--rm" }, NewId("exit"), "sh", "-c", "exit 7").ExitCode.Should().Be(7);
        AssertNothingLeft();
    }

    [ContainerdFact]
    public void A_missing_executable_reaches_ctr_through_the_json_log()
    {
        var r = C.Run(new[] { "--rm" }, NewId("missing"), "no-such-binary");
        r.ExitCode.Should().Be(1, r.ToString());
        r.Stderr.Should().Contain("OCI runtime create failed")
            .And.Contain("exec: \"no-such-binary\": executable file not found in $PATH");
        AssertNothingLeft();
    }

    [ContainerdFact]
    public void A_mount_error_names_the_config_field_and_the_errno()
    {
        string missing = "/nonexistent-" + Guid.NewGuid().ToString("N")[..8];
        var r = C.Run(new[] { "--rm", "--mount", $"type=bind,src={missing},dst=/x,options=rbind:ro" }, NewId("mount"), "true");
        r.ExitCode.Should().Be(1, r.ToString());
        r.Stderr.Should().Contain("OCI runtime create failed").And.Contain("mounts[").And.Contain(missing)
            .And.Contain("no such file or directory");
        AssertNothingLeft();
    }

    [ContainerdFact]
    public void Environment_working_dir_and_privileged()
    {
        var r = C.Run(new[] { "--rm", "--env", "GREETING=hello csrun", "--cwd", "/tmp" }, NewId("env"), "sh", "-c", "echo \"$GREETING\"; pwd");
        r.ExitCode.Should().Be(0, r.ToString());
        r.Stdout.Should().Be("hello csrun\n/tmp\n");

        // This host's bounding set lacks CAP_SYS_RESOURCE: csrun warns and grants the rest.
        r = C.Run(new[] { "--rm", "--privileged" }, NewId("priv"), "grep", "^CapEff", "/proc/self/status");
        r.ExitCode.Should().Be(0, r.ToString());
        r.Stdout.Split(':')[1].Trim().Should().Be(File.ReadAllLines("/proc/self/status").First(l => l.StartsWith("CapBnd")).Split(':')[1].Trim());
        AssertNothingLeft();
    }

    [ContainerdFact]
    public void Detached_task_lists_pauses_resumes_and_is_killed_and_deleted()
    {
        string id = NewId("task");
        string log = Path.Combine(_fixture.Dir, id + ".log");
        var r = C.Run(new[] { "--detach", "--log-uri", "file://" + log }, id,
            "sh", "-c", "trap 'echo got TERM; exit 3' TERM; echo ready; while :; do sleep 0.1; done");
        r.ExitCode.Should().Be(0, r.ToString());
        LifecycleTests.WaitFor(() => File.Exists(log) && File.ReadAllText(log).Contains("ready"));

        var task = TaskLine(id);
        task[2].Should().Be("RUNNING");
        int pid = int.Parse(task[1]);
        C.Ctr("task", "ps", id).Stdout.Should().Contain(pid.ToString(), "ctr task ps reads `csrun ps --format json`");

        C.Ctr("task", "pause", id).ExitCode.Should().Be(0);
        TaskLine(id)[2].Should().Be("PAUSED");
        C.Ctr("task", "resume", id).ExitCode.Should().Be(0);
        TaskLine(id)[2].Should().Be("RUNNING");

        r = C.Ctr("task", "kill", id);
        r.ExitCode.Should().Be(0, r.ToString());
        LifecycleTests.WaitFor(() => TaskLine(id)[2] == "STOPPED");
        File.ReadAllText(log).Should().Contain("got TERM");

        r = C.Ctr("task", "delete", id);
        r.ExitCode.Should().Be(0, r.ToString());
        r.Stderr.Should().Contain("exit code 3");
        C.Ctr("container", "delete", id).ExitCode.Should().Be(0);
        AssertNothingLeft();
    }

    [ContainerdFact]
    public void Kill_all_and_force_delete_of_running_tasks()
    {
        string a = NewId("killall"), b = NewId("forced");
        C.Run(new[] { "--detach", "--null-io" }, a, "sh", "-c", "sleep 100 & sleep 100").ExitCode.Should().Be(0);
        C.Run(new[] { "--detach", "--null-io" }, b, "sleep", "100").ExitCode.Should().Be(0);

        C.Ctr("task", "kill", "--all", "--signal", "SIGKILL", a).ExitCode.Should().Be(0);
        LifecycleTests.WaitFor(() => TaskLine(a)[2] == "STOPPED");
        C.Ctr("task", "delete", a).Stderr.Should().Contain("exit code 137");

        var r = C.Ctr("task", "delete", "--force", b);
        r.ExitCode.Should().Be(0, r.ToString());
        foreach (var id in new[] { a, b }) C.Ctr("container", "delete", id).ExitCode.Should().Be(0);
        AssertNothingLeft();
    }

    [ContainerdFact]
    public void Task_exec_runs_a_command_in_a_running_task()
    {
        string id = NewId("exec");
        C.Run(new[] { "--detach", "--null-io" }, id, "sleep", "100").ExitCode.Should().Be(0);
        var r = C.Ctr("task", "exec", "--exec-id", "e1", id, "echo", "hi");
        r.Stdout.Should().Be("hi\n");
        C.RemoveAll();
        AssertNothingLeft();
    }

    /// <summary>`ctr task ls` row of the task: ID, PID, STATUS.</summary>
    string[] TaskLine(string id)
    {
        var r = C.Ctr("task", "ls");
        r.ExitCode.Should().Be(0, r.ToString());
        return r.Stdout.Split('\n').Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .First(f => f.Length == 3 && f[0] == id);
    }
}
