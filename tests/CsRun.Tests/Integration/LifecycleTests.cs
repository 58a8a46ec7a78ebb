using System.Text.Json;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Integration;

/// <summary>create → start → kill → delete, with the state and messages callers parse.</summary>
public class LifecycleTests
{
    static JsonElement State(Bundle b, string id)
    {
        var r = b.Csrun("state", id);
        r.ExitCode.Should().Be(0, r.ToString());
        return JsonDocument.Parse(r.Stdout).RootElement;
    }

    [Fact]
    public void Status_moves_from_created_to_running_to_stopped()
    {
        using var b = new Bundle("sleep", "100");
        var id = b.NewId();
        string pidFile = Path.Combine(b.Dir, "init.pid");
        var r = b.Csrun("create", "--bundle", b.Dir, "--pid-file", pidFile, id);
        r.ExitCode.Should().Be(0, r.ToString());

        var s = State(b, id);
        s.GetProperty("status").GetString().Should().Be("created");
        s.GetProperty("id").GetString().Should().Be(id);
        s.GetProperty("bundle").GetString().Should().Be(b.Dir);
        s.GetProperty("rootfs").GetString().Should().Be(b.Rootfs);
        int pid = s.GetProperty("pid").GetInt32();
        File.ReadAllText(pidFile).Should().Be(pid.ToString(), "runc writes the pid with no newline");
        DateTime.Parse(s.GetProperty("created").GetString()!).Should().BeCloseTo(DateTime.Now, TimeSpan.FromMinutes(1));

        b.Csrun("start", id).ExitCode.Should().Be(0);
        State(b, id).GetProperty("status").GetString().Should().Be("running");
        b.Csrun("start", id).Stderr.Should().Contain("cannot start an already running container");

        b.Csrun("kill", id, "KILL").ExitCode.Should().Be(0);
        WaitFor(() => State(b, id).GetProperty("status").GetString() == "stopped");
        State(b, id).GetProperty("pid").GetInt32().Should().Be(0);
        b.Csrun("kill", id).Stderr.Should().Contain("container not running");
        b.Csrun("delete", id).ExitCode.Should().Be(0);
        TestHost.Reap(pid);
        Leftovers.AssertNone(b, id);
    }

    [Fact]
    public void A_zombie_init_reads_as_stopped()
    {
        using var b = new Bundle("sh", "-c", "exit 0");
        var id = b.NewId();
        b.Csrun("create", "-b", b.Dir, id).ExitCode.Should().Be(0);
        int pid = State(b, id).GetProperty("pid").GetInt32();
        b.Csrun("start", id).ExitCode.Should().Be(0);
        // Nobody reaps it yet: the test host adopted it but waits, so it stays a zombie.
        WaitFor(() => File.ReadAllText($"/proc/{pid}/stat").Contains(") Z "));
        State(b, id).GetProperty("status").GetString().Should().Be("stopped");
        b.Csrun("delete", id).ExitCode.Should().Be(0);
        TestHost.Reap(pid);
    }

    [Fact]
    public void Delete_of_a_created_container_kills_it_as_runc_does()
    {
        using var b = new Bundle("true");
        var id = b.NewId();
        b.Csrun("create", "-b", b.Dir, id).ExitCode.Should().Be(0);
        int pid = State(b, id).GetProperty("pid").GetInt32();
        b.Csrun("delete", id).ExitCode.Should().Be(0);
        TestHost.Reap(pid);
        Leftovers.AssertNone(b, id);
    }

    [Fact]
    public void Delete_of_a_running_container_needs_force()
    {
        using var b = new Bundle("sleep", "100");
        var id = b.NewId();
        b.Csrun("run", "-d", "-b", b.Dir, id).ExitCode.Should().Be(0);
        var r = b.Csrun("delete", id);
        r.ExitCode.Should().Be(1);
        r.Stderr.Should().Contain($"cannot delete container {id} that is not stopped: running");
        b.Csrun("delete", "--force", id).ExitCode.Should().Be(0);
    }

    [Fact]
    public void Commands_on_an_unknown_container_say_it_does_not_exist()
    {
        using var b = new Bundle();
        foreach (var cmd in new[] { "state", "start", "kill", "delete" })
        {
            var r = b.Csrun(cmd, "nope-" + Guid.NewGuid().ToString("N")[..8]);
            r.ExitCode.Should().Be(1, cmd);
            r.Stderr.Should().Contain("container does not exist", cmd);
        }
        b.Csrun("delete", "-f", "nope").ExitCode.Should().Be(0, "delete -f of a missing container is not an error");
    }

    [Fact]
    public void Create_refuses_a_taken_id_and_bad_ids()
    {
        using var b = new Bundle("sleep", "100");
        var id = b.NewId();
        b.Csrun("create", "-b", b.Dir, id).ExitCode.Should().Be(0);
        b.Csrun("create", "-b", b.Dir, id).Stderr.Should().Contain($"container with id exists: {id}");
        foreach (var bad in new[] { "../x", "a/b", ".." })
            b.Csrun("create", "-b", b.Dir, bad).Stderr.Should().Contain("invalid id format");
    }

    [Fact]
    public void List_shows_containers_in_table_json_and_quiet_forms()
    {
        using var b = new Bundle("sleep", "100");
        var id = b.NewId();
        b.Csrun("create", "-b", b.Dir, id).ExitCode.Should().Be(0);
        b.Csrun("list", "-q").Stdout.Should().Be(id + "\n");
        var table = b.Csrun("list").Stdout.Split('\n');
        table[0].Should().StartWith("ID").And.Contain("PID").And.Contain("STATUS").And.Contain("OWNER");
        table[1].Should().StartWith(id).And.Contain("created");
        var json = JsonDocument.Parse(b.Csrun("list", "--format=json").Stdout).RootElement;
        json[0].GetProperty("id").GetString().Should().Be(id);
        json[0].GetProperty("status").GetString().Should().Be("created");
    }

    [Fact]
    public void Kill_takes_signal_names_and_numbers()
    {
        using var b = new Bundle("sh", "-c", "trap 'echo got USR1 > /tmp/sig' USR1; while true; do sleep 0.05; done");
        b.Config.Root!.Readonly = false;
        var id = b.NewId();
        b.Csrun("run", "-d", "-b", b.Dir, id).ExitCode.Should().Be(0);
        Thread.Sleep(200);
        b.Csrun("kill", id, "SIGUSR1").ExitCode.Should().Be(0);
        WaitFor(() => File.Exists(Path.Combine(b.Rootfs, "tmp/sig")));
        b.Csrun("kill", id, "9").ExitCode.Should().Be(0);
        WaitFor(() => State(b, id).GetProperty("status").GetString() == "stopped");
        b.Csrun("kill", id, "SIGBOGUS").Stderr.Should().Contain("unknown signal");
    }

    [Fact]
    public void A_config_with_comments_and_trailing_commas_is_kept_in_the_state_either_way()
    {
        using var b = new Bundle("sleep", "100");
        b.Save();
        string path = Path.Combine(b.Dir, "config.json");
        string json = File.ReadAllText(path);
        File.WriteAllText(path, "// a comment runc would refuse, System.Text.Json allows\n" + json.TrimEnd().TrimEnd('}') + ",}");
        var id = b.NewId();
        var r = CsrunCli.Run(new[] { "--root", b.StateRoot, "create", "-b", b.Dir, id });
        r.ExitCode.Should().Be(0, r.ToString());
        State(b, id).GetProperty("status").GetString().Should().Be("created");
        CsrunCli.Run(new[] { "--root", b.StateRoot, "delete", id }).ExitCode.Should().Be(0);
        Leftovers.AssertNone(b, id);
    }

    internal static void WaitFor(Func<bool> condition, int timeoutMs = 30_000)
    {
        var until = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (!condition())
        {
            if (DateTime.UtcNow > until) throw new TimeoutException("condition not met in time");
            Thread.Sleep(20);
        }
    }
}
