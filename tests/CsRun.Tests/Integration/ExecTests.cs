using System.Text.Json;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Integration;

/// <summary>`exec`: a second process in a running container's namespaces and cgroup.</summary>
public class ExecTests
{
    static (Bundle Bundle, string Id) Running()
    {
        var b = new Bundle("sleep", "100");
        b.Config.Hostname = "exec-box";
        var id = b.NewId();
        b.Csrun("run", "-d", "-b", b.Dir, id).ExitCode.Should().Be(0);
        return (b, id);
    }

    [Fact]
    public void Exec_runs_in_the_containers_namespaces_and_returns_its_status()
    {
        var (b, id) = Running();
        using var _ = b;
        int init = JsonDocument.Parse(b.Csrun("state", id).Stdout).RootElement.GetProperty("pid").GetInt32();
        var r = b.Csrun("exec", id, "sh", "-c", "hostname; readlink /proc/self/ns/net; readlink /proc/self/ns/mnt; exit 3");
        r.ExitCode.Should().Be(3, r.ToString());
        var lines = r.Stdout.Split('\n');
        lines[0].Should().Be("exec-box");
        lines[1].Should().Be(new FileInfo($"/proc/{init}/ns/net").LinkTarget);
        lines[2].Should().Be(new FileInfo($"/proc/{init}/ns/mnt").LinkTarget);
    }

    [Fact]
    public void Exec_joins_every_cgroup_of_the_container()
    {
        var (b, id) = Running();
        using var _ = b;
        int init = JsonDocument.Parse(b.Csrun("state", id).Stdout).RootElement.GetProperty("pid").GetInt32();
        var r = b.Csrun("exec", id, "cat", "/proc/self/cgroup");
        r.ExitCode.Should().Be(0, r.ToString());
        // The same view from the same cgroup namespace: the same lines, hierarchy by hierarchy.
        var inits = b.Csrun("exec", id, "cat", $"/proc/1/cgroup").Stdout;
        r.Stdout.Should().Be(inits);
        File.ReadAllText($"/proc/{init}/cgroup").Should().Contain($":pids:/{id}\n");
        r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length.Should().Be(
            File.ReadAllLines($"/proc/{init}/cgroup").Length);
    }

    [Fact]
    public void Exec_flags_set_env_user_and_cwd()
    {
        var (b, id) = Running();
        using var _ = b;
        var r = b.Csrun("exec", "-e", "FOO=bar", "--user", "1000:1001", "--cwd", "/tmp", id, "sh", "-c", "echo $FOO; id -u; id -g; pwd");
        r.ExitCode.Should().Be(0, r.ToString());
        r.Stdout.Should().Be("bar\n1000\n1001\n/tmp\n");
    }

    [Fact]
    public void Exec_with_a_process_file_and_detach_writes_the_pid_file()
    {
        var (b, id) = Running();
        using var _ = b;
        string processFile = Path.Combine(b.Dir, "process.json");
        var process = b.Config.Process! with { Args = new() { "sleep", "50" } };
        File.WriteAllText(processFile, CsRun.Tests.Spec.ReferenceJson.Serialize(process));
        string pidFile = Path.Combine(b.Dir, "exec.pid");
        var r = b.Csrun("exec", "--process", processFile, "--detach", "--pid-file", pidFile, id);
        r.ExitCode.Should().Be(0, r.ToString());
        int pid = int.Parse(File.ReadAllText(pidFile));
        File.ReadAllText($"/proc/{pid}/cmdline").Should().StartWith("sleep\u000050");
        // The exec'd process was adopted by this test host (a subreaper, like a shim): the pid
        // namespace's init cannot finish dying until we reap it, so reap while delete runs.
        var delete = Task.Run(() => b.Csrun("delete", "-f", id));
        while (!delete.IsCompleted) { TestHost.Reap(pid); Thread.Sleep(10); }
        delete.Result.ExitCode.Should().Be(0, delete.Result.ToString());
        Leftovers.AssertNone(b, id);
    }

    [Fact]
    public void Exec_reports_a_missing_binary_and_refuses_stopped_containers()
    {
        var (b, id) = Running();
        using var _ = b;
        b.Csrun("exec", id, "nope").Stderr.Should().Contain("executable file not found in $PATH");
        b.Csrun("kill", id, "KILL").ExitCode.Should().Be(0);
        LifecycleTests.WaitFor(() => b.Csrun("state", id).Stdout.Contains("stopped"));
        b.Csrun("exec", id, "true").Stderr.Should().Contain("cannot exec in a stopped container");
    }
}
