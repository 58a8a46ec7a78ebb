using System.Text.Json;
using CsRun.Spec;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Integration;

/// <summary>
/// Limits from config.json, update, pause/resume, ps and kill --all on real containers, read
/// back from this host's v1 cgroup files.
/// </summary>
public class CgroupCommandTests
{
    const string ThreeProcesses = "sleep 100 & sleep 100 & wait";

    static Bundle Sh(string script) => new("sh", "-c", script);

    [Fact]
    public void Limits_from_config_json_are_in_the_containers_cgroup_files()
    {
        using var b = new Bundle("sleep", "100");
        b.Config.Linux!.Resources = new Resources
        {
            Memory = new MemoryResources { Limit = 64 << 20, Reservation = 32 << 20 },
            Cpu = new CpuResources { Shares = 512, Quota = 25000, Period = 100000, Cpus = "0", Mems = "0" },
            Pids = new PidsResources { Limit = 40 },
        };
        var c = new CgroupFixture(b).Run();

        c.ReadNumber("memory", "memory.limit_in_bytes").Should().Be(64 << 20);
        c.ReadNumber("memory", "memory.soft_limit_in_bytes").Should().Be(32 << 20);
        c.ReadNumber("cpu", "cpu.shares").Should().Be(512);
        c.ReadNumber("cpu", "cpu.cfs_quota_us").Should().Be(25000);
        c.ReadNumber("cpu", "cpu.cfs_period_us").Should().Be(100000);
        c.Read("pids", "pids.max").Should().Be("40");
        c.Read("cpuset", "cpuset.cpus").Should().Be("0");
        c.Read("cpuset", "cpuset.mems").Should().Be("0");
        c.Finish();
    }

    [Fact]
    public void Every_process_of_the_container_is_in_cgroup_procs_of_every_hierarchy()
    {
        using var b = Sh(ThreeProcesses);
        var c = new CgroupFixture(b).Run();
        LifecycleTests.WaitFor(() => c.Procs().Count == 3);

        var pids = c.Procs();
        pids.Should().Contain(c.Pid);
        foreach (var controller in new[] { "memory", "cpu", "cpuacct", "cpuset", "devices", "freezer", "blkio" })
            c.Procs(controller).Should().BeEquivalentTo(pids, controller);
        bool hybrid = File.Exists("/sys/fs/cgroup/unified/cgroup.procs");
        foreach (int pid in pids)
        {
            string cgroups = File.ReadAllText($"/proc/{pid}/cgroup");
            cgroups.Should().Contain($":pids:/{c.Id}\n");
            if (hybrid) cgroups.Should().Contain($"0::/{c.Id}\n", "the init is cloned into the unified cgroup");
        }
        c.Finish();
    }

    [Fact]
    public void The_init_runs_on_its_cpusets_cpus_however_csrun_placed_it_meanwhile()
    {
        using var pinned = new Bundle("sleep", "100");
        pinned.Config.Linux!.Resources = new Resources { Cpu = new CpuResources { Cpus = "0" } };
        var c = new CgroupFixture(pinned).Run();
        CpusAllowed(c.Pid).Should().Be("0");
        c.Finish();

        using var free = new Bundle("sleep", "100");
        var d = new CgroupFixture(free).Run();
        CpusAllowed(d.Pid).Should().Be(d.Read("cpuset", "cpuset.cpus"));
        d.Finish();
    }

    static string CpusAllowed(int pid) =>
        File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("Cpus_allowed_list:")).Split(':')[1].Trim();

    [Fact]
    public void Update_applies_limits_live_and_saves_them_in_the_state()
    {
        using var b = new Bundle("sleep", "100");
        b.Config.Linux!.Resources = new Resources { Memory = new MemoryResources { Limit = 64 << 20 }, Pids = new PidsResources { Limit = 40 } };
        var c = new CgroupFixture(b).Run();

        c.Ok("update", "--memory", "128M", "--memory-reservation", "64m", "--cpu-share", "256", "--cpu-quota", "30000",
            "--cpu-period", "200000", "--pids-limit", "25", "--cpuset-cpus", "0", "--blkio-weight", "0");

        c.ReadNumber("memory", "memory.limit_in_bytes").Should().Be(128 << 20);
        c.ReadNumber("memory", "memory.soft_limit_in_bytes").Should().Be(64 << 20);
        c.ReadNumber("cpu", "cpu.shares").Should().Be(256);
        c.ReadNumber("cpu", "cpu.cfs_quota_us").Should().Be(30000);
        c.ReadNumber("cpu", "cpu.cfs_period_us").Should().Be(200000);
        c.Read("pids", "pids.max").Should().Be("25");
        c.Read("cpuset", "cpuset.cpus").Should().Be("0");
        var saved = c.SavedResources();
        saved.GetProperty("memory").GetProperty("limit").GetInt64().Should().Be(128 << 20);
        saved.GetProperty("cpu").GetProperty("quota").GetInt64().Should().Be(30000);
        saved.GetProperty("pids").GetProperty("limit").GetInt64().Should().Be(25);

        // -r from stdin: only pids; the earlier memory update stays, in the file and in the state.
        var r = CsrunCli.Run(new[] { "--root", b.StateRoot, "update", "-r", "-", c.Id }, stdin: "{\"pids\":{\"limit\":15}}");
        r.ExitCode.Should().Be(0, r.ToString());
        c.Read("pids", "pids.max").Should().Be("15");
        c.ReadNumber("memory", "memory.limit_in_bytes").Should().Be(128 << 20);
        c.SavedResources().GetProperty("memory").GetProperty("limit").GetInt64().Should().Be(128 << 20);
        c.SavedResources().GetProperty("pids").GetProperty("limit").GetInt64().Should().Be(15);

        // -1 lifts a limit.
        c.Ok("update", "--memory", "-1", "--pids-limit", "-1");
        c.Read("pids", "pids.max").Should().Be("max");
        c.ReadNumber("memory", "memory.limit_in_bytes").Should().BeGreaterThan(1L << 50);

        c.Finish();
    }

    [Fact]
    public void A_refused_update_changes_neither_the_cgroup_nor_the_state()
    {
        using var b = new Bundle("sleep", "100");
        b.Config.Linux!.Resources = new Resources { Memory = new MemoryResources { Limit = 64 << 20 } };
        var c = new CgroupFixture(b).Run();

        // Below what the container already uses: the kernel refuses (EBUSY).
        c.Fails("update", "--memory", "100").Should().Contain("memory.limit_in_bytes").And.Contain("device or resource busy");
        c.ReadNumber("memory", "memory.limit_in_bytes").Should().Be(64 << 20);
        c.SavedResources().GetProperty("memory").GetProperty("limit").GetInt64().Should().Be(64 << 20);

        c.Fails("update", "--memory", "abc").Should().Contain("invalid value for memory: invalid size: 'abc'");
        c.Fails("update", "--cpu-quota", "5000x").Should().Contain("invalid value for cpu-quota: strconv.ParseInt: parsing \"5000x\": invalid syntax");
        c.Fails("update", "--pids-limit", "many").Should().Contain("invalid value \"many\" for flag -pids-limit: parse error");
        if (!Directory.Exists("/sys/fs/resctrl/info"))
            c.Fails("update", "--l3-cache-schema", "L3:0=f").Should().Contain("Intel RDT/CAT: l3 cache schema is not enabled");

        c.Kill("KILL");
        LifecycleTests.WaitFor(() => c.Status == "stopped");
        c.Fails("update", "--memory", "128M").Should().Contain("container not running");
        c.Finish();
    }

    [Fact]
    public void Pause_and_resume_freeze_and_thaw_with_runcs_messages()
    {
        using var b = Sh(ThreeProcesses);
        var c = new CgroupFixture(b).Run();

        c.Ok("pause");
        c.Read("freezer", "freezer.state").Should().Be("FROZEN");
        c.Status.Should().Be("paused");
        c.Fails("pause").Should().Contain("container not running");
        JsonDocument.Parse(c.Ok("ps", "-f", "json")).RootElement.GetArrayLength().Should().Be(3, "ps still sees a paused container");

        c.Ok("resume");
        c.Read("freezer", "freezer.state").Should().Be("THAWED");
        c.Status.Should().Be("running");
        c.Fails("resume").Should().Contain("container not paused");

        // A paused container is not stopped; delete -f kills it all the same, promptly.
        c.Ok("pause");
        c.Fails("delete").Should().Contain($"cannot delete container {c.Id} that is not stopped: paused");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        c.Finish();
        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void A_created_container_can_be_paused_and_deleted()
    {
        using var b = new Bundle("true");
        var c = new CgroupFixture(b).Create();

        c.Ok("pause");
        c.Status.Should().Be("paused", "frozen reads before created, as in runc");
        c.Fails("start").Should().Contain("cannot start a container in the paused state");
        c.Finish();
    }

    [Fact]
    public void Ps_lists_the_containers_processes_as_json_and_as_a_table()
    {
        using var b = Sh(ThreeProcesses);
        var c = new CgroupFixture(b).Run();
        LifecycleTests.WaitFor(() => c.Procs().Count == 3);
        var pids = c.Procs();

        JsonDocument.Parse(c.Ok("ps", "--format", "json")).RootElement.EnumerateArray().Select(e => e.GetInt32())
            .Should().BeEquivalentTo(pids);

        var table = c.Ok("ps").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        table[0].Split(' ', StringSplitOptions.RemoveEmptyEntries).Should().Contain("PID").And.Contain("CMD");
        table.Skip(1).Select(l => int.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1])).Should().BeEquivalentTo(pids);

        // Arguments after the id go to ps(1).
        var r = b.Csrun("ps", c.Id, "-o", "pid,comm");
        r.ExitCode.Should().Be(0, r.ToString());
        var lines = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines[0].Trim().Should().Be("PID COMMAND");
        lines.Skip(1).Select(l => l.Trim().Split(' ')[^1]).Should().BeEquivalentTo(new[] { "sh", "sleep", "sleep" });

        c.Fails("ps", "-f", "xml").Should().Contain("invalid format option");
        b.Csrun("ps", "nope-" + Guid.NewGuid().ToString("N")[..8]).Stderr.Should().Contain("container does not exist");
        c.Finish();
    }

    [Fact]
    public void Kill_all_reaches_every_process_and_a_plain_kill_only_the_init()
    {
        using var b = Sh("sh /w.sh a & sh /w.sh b & sh /w.sh c & exec sh /w.sh init");
        b.Config.Root!.Readonly = false;
        File.WriteAllText(Path.Combine(b.Rootfs, "w.sh"), "trap \"touch /tmp/got-$1\" USR1\nwhile true; do sleep 0.05; done\n");
        var c = new CgroupFixture(b).Run();
        string Got(string who) => Path.Combine(b.Rootfs, "tmp", "got-" + who);
        // Four shells, each with its sleep: wait until every trap is set.
        LifecycleTests.WaitFor(() => c.Procs().Count == 8);

        c.Kill("USR1");
        LifecycleTests.WaitFor(() => File.Exists(Got("init")));
        Thread.Sleep(300);
        new[] { "a", "b", "c" }.Where(w => File.Exists(Got(w))).Should().BeEmpty("a plain kill signals the init only");

        c.Kill("USR1", all: true);
        LifecycleTests.WaitFor(() => new[] { "a", "b", "c" }.All(w => File.Exists(Got(w))));

        // Paused: the signal waits for resume, and the container stays paused.
        foreach (var w in new[] { "a", "b", "c", "init" }) File.Delete(Got(w));
        c.Ok("pause");
        c.Kill("USR1", all: true);
        c.Status.Should().Be("paused");
        Thread.Sleep(200);
        File.Exists(Got("a")).Should().BeFalse();
        c.Ok("resume");
        LifecycleTests.WaitFor(() => new[] { "a", "b", "c", "init" }.All(w => File.Exists(Got(w))));

        c.Kill("KILL", all: true);
        LifecycleTests.WaitFor(() => c.Procs().Count == 0);
        LifecycleTests.WaitFor(() => c.Status == "stopped");
        c.Kill("KILL", all: true);
        c.Finish();
    }

    [Fact]
    public void Kill_all_on_a_paused_container_with_SIGKILL_kills_it()
    {
        using var b = Sh(ThreeProcesses);
        var c = new CgroupFixture(b).Run();
        LifecycleTests.WaitFor(() => c.Procs().Count == 3);
        c.Ok("pause");

        c.Kill("KILL", all: true);

        LifecycleTests.WaitFor(() => c.Procs().Count == 0);
        c.Status.Should().Be("stopped");
        c.Finish();
    }
}
