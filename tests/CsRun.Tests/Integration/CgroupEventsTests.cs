using System.Text.Json;
using CsRun.Spec;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Integration;

/// <summary>
/// events (stats and OOM), and limits doing their job on real containers: a memory hog killed
/// by the OOM killer, a fork bomb held at pids.max, a container in 512 KiB of memory.
/// </summary>
public class CgroupEventsTests
{
    static Bundle Sh(string script) => new("sh", "-c", script);

    static List<JsonElement> Events(string stdout) =>
        stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();

    [Fact]
    public void Events_stats_match_the_cgroup_files()
    {
        using var b = Sh("sleep 100 & sleep 100 & wait");
        b.Config.Linux!.Resources = new Resources { Memory = new MemoryResources { Limit = 64 << 20 }, Pids = new PidsResources { Limit = 40 } };
        var c = new CgroupFixture(b).Run();
        LifecycleTests.WaitFor(() => c.Procs().Count == 3);

        long usageBefore = c.ReadNumber("memory", "memory.usage_in_bytes");
        var e = JsonDocument.Parse(c.Ok("events", "--stats")).RootElement;
        long usageAfter = c.ReadNumber("memory", "memory.usage_in_bytes");
        long cpuAfter = c.ReadNumber("cpuacct", "cpuacct.usage");

        e.GetProperty("type").GetString().Should().Be("stats");
        e.GetProperty("id").GetString().Should().Be(c.Id);
        var data = e.GetProperty("data");
        data.GetProperty("pids").GetProperty("current").GetInt64().Should().Be(c.ReadNumber("pids", "pids.current")).And.Be(3);
        data.GetProperty("pids").GetProperty("limit").GetInt64().Should().Be(40);
        var memory = data.GetProperty("memory").GetProperty("usage");
        memory.GetProperty("limit").GetInt64().Should().Be(64 << 20);
        memory.GetProperty("usage").GetInt64().Should().BeInRange(Math.Min(usageBefore, usageAfter) - (1 << 20), Math.Max(usageBefore, usageAfter) + (1 << 20));
        data.GetProperty("memory").GetProperty("raw").GetProperty("hierarchical_memory_limit").GetInt64().Should().Be(64 << 20);
        data.GetProperty("cpu").GetProperty("usage").GetProperty("total").GetInt64().Should().BeInRange(1, cpuAfter);
        data.GetProperty("intel_rdt").EnumerateObject().Should().BeEmpty();
        data.GetProperty("network_interfaces").ValueKind.Should().Be(JsonValueKind.Null);

        c.Kill("KILL");
        LifecycleTests.WaitFor(() => c.Status == "stopped");
        c.Fails("events", "--stats").Should().Contain($"container with id {c.Id} is not running");
        c.Finish();
    }

    [Fact]
    public void The_event_stream_reports_stats_every_interval_until_the_container_stops()
    {
        using var b = new Bundle("sleep", "2");
        var c = new CgroupFixture(b).Run();
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var lines = Events(c.Ok("events", "--interval", "300ms"));

        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(10), "the stream ends when the container stops");
        lines.Count.Should().BeInRange(3, 8);
        lines.Should().OnlyContain(l => l.GetProperty("type").GetString() == "stats" && l.GetProperty("id").GetString() == c.Id);
        c.Fails("events", "--interval", "0s").Should().Contain("duration interval must be greater than 0");
        c.Fails("events", "--interval", "5").Should().Contain("invalid value \"5\" for flag -interval");
        c.Finish();
    }

    [Fact]
    public void A_memory_hog_is_oom_killed_and_the_event_stream_reports_it()
    {
        // The hog starts after `events` is listening and the container ends soon after the
        // kill, which ends the stream.
        using var b = Sh("sleep 2; (x=a; while true; do x=$x$x; done); echo $? > /tmp/hog; sleep 0.5");
        b.Config.Root!.Readonly = false;
        b.Config.Linux!.Resources = new Resources { Memory = new MemoryResources { Limit = 32 << 20, Swap = 32 << 20 } };
        var c = new CgroupFixture(b).Run();

        var lines = Events(c.Ok("events", "--interval", "1s"));

        lines.Should().Contain(l => l.GetProperty("type").GetString() == "oom" && l.GetProperty("id").GetString() == c.Id,
            string.Join("\n", lines.Select(l => l.GetProperty("type").GetString())));
        File.ReadAllText(Path.Combine(b.Rootfs, "tmp", "hog")).Trim().Should().Be("137", "the hog dies of SIGKILL");
        c.Read("memory", "memory.oom_control").Should().MatchRegex(@"oom_kill [1-9]");
        c.Finish();
    }

    [Fact]
    public void A_fork_bomb_stops_at_pids_max_and_the_container_survives()
    {
        // The bomb forks until the kernel refuses, then its shell gives up; the init lives on
        // and takes the pid that frees, so the cgroup sits exactly at the limit.
        using var b = Sh("(while true; do sleep 100 & done) 2>/dev/null; sleep 100; exit 0");
        b.Config.Linux!.Resources = new Resources { Pids = new PidsResources { Limit = 20 } };
        var c = new CgroupFixture(b).Run();

        LifecycleTests.WaitFor(() => c.Read("pids", "pids.events").Contains("max ") && c.ReadNumber("pids", "pids.current") == 20);
        Thread.Sleep(200);

        c.Status.Should().Be("running");
        var pids = JsonDocument.Parse(c.Ok("events", "--stats")).RootElement.GetProperty("data").GetProperty("pids");
        pids.GetProperty("current").GetInt64().Should().Be(20);
        pids.GetProperty("limit").GetInt64().Should().Be(20);
        c.Read("pids", "pids.events").Should().MatchRegex(@"max [1-9]");
        c.Finish();
    }

    /// <summary>
    /// The issue's requirement: runc cannot start a container this small (its re-exec'd init
    /// is charged about 2 MiB before the limit is even set), crun can. csrun sets the limit
    /// before the child joins the cgroup, and the child is a fork that touches only a few
    /// pages of its own before execve: it fits.
    /// </summary>
    [Fact]
    public void A_container_with_a_512_KiB_memory_limit_runs_bin_true()
    {
        using var b = new Bundle("/bin/true");
        b.Config.Linux!.Resources = new Resources { Memory = new MemoryResources { Limit = 512 << 10 } };
        for (int i = 0; i < 3; i++)
        {
            var id = b.NewId("tiny");
            var r = b.Csrun("run", "-b", b.Dir, id);
            r.ExitCode.Should().Be(0, r.ToString());
            Leftovers.AssertNone(b, id);
        }

        b.Config.Process!.Args = new() { "cat", "/sys/fs/cgroup/memory/memory.limit_in_bytes" };
        var limit = b.Run();
        limit.ExitCode.Should().Be(0, limit.ToString());
        limit.Stdout.Trim().Should().Be("524288");
    }
}
