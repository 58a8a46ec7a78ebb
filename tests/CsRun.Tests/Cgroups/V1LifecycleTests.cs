using CsRun.Cgroups;
using CsRun.Spec;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Cgroups;

/// <summary>Create, join, freeze, stats and destroy on this host's real v1 hierarchies.</summary>
public class V1LifecycleTests
{
    [Fact]
    public void Create_makes_a_directory_in_every_hierarchy_and_AddProcess_joins_each()
    {
        using var cg = new TestCgroup();
        var p = cg.Started();

        cg.Manager.Paths.Keys.Should().Contain(new[] { "memory", "cpu", "cpuset", "devices", "freezer", "pids" });
        foreach (var (key, dir) in cg.Manager.Paths)
        {
            dir.Should().EndWith("/" + cg.Name);
            File.ReadAllText(Path.Combine(dir, "cgroup.procs")).Split('\n').Should().Contain(p.Id.ToString(), key);
        }
        File.ReadAllText($"/proc/{p.Id}/cgroup").Should().Contain($":memory:/{cg.Name}\n");
        cg.Manager.Pids().Should().Equal(p.Id);
    }

    [Fact]
    public void Create_is_idempotent()
    {
        using var cg = new TestCgroup();
        cg.Manager.Create(null);

        cg.Manager.Create(null);

        Directory.Exists(cg.Dir("memory")).Should().BeTrue();
    }

    [Fact]
    public void A_new_cpuset_gets_its_parents_cpus_and_mems_so_that_processes_can_join()
    {
        var cg = new TestCgroup($"/csrun-test-{Guid.NewGuid():N}/nested");
        try
        {
            cg.Started();

            string root = "/sys/fs/cgroup/cpuset";
            cg.Read("cpuset", "cpuset.cpus").Should().Be(File.ReadAllText($"{root}/cpuset.cpus").Trim());
            cg.Read("cpuset", "cpuset.mems").Should().Be(File.ReadAllText($"{root}/cpuset.mems").Trim());
        }
        finally
        {
            // The parent level was made by Create too; Destroy removes only the container's own.
            cg.Dispose();
            foreach (string dir in cg.Manager.Paths.Values.Distinct()) CgroupDirs.Remove(Path.GetDirectoryName(dir)!);
        }
    }

    [Fact]
    public void Freeze_and_thaw_show_in_freezer_state()
    {
        using var cg = new TestCgroup();
        var p = cg.Started();

        cg.Manager.Freeze(true);
        cg.Read("freezer", "freezer.state").Should().Be("FROZEN");
        cg.Manager.IsFrozen().Should().BeTrue();
        File.ReadAllText($"/proc/{p.Id}/stat").Split(' ')[2].Should().BeOneOf("D", "S", "T");

        cg.Manager.Freeze(false);
        cg.Read("freezer", "freezer.state").Should().Be("THAWED");
        cg.Manager.IsFrozen().Should().BeFalse();
    }

    [Fact]
    public void Stats_are_sane()
    {
        using var cg = new TestCgroup();
        cg.Started(new Resources { Pids = new() { Limit = 50 }, Memory = new() { Limit = 64 << 20 } });

        var stats = cg.Manager.Stats();

        stats.Pids.Current.Should().Be(1);
        stats.Pids.Limit.Should().Be(50);
        stats.Memory.Usage.Limit.Should().Be(64 << 20);
        stats.Memory.Raw.Should().ContainKey("rss");
        stats.Cpu.Usage.Percpu.Should().HaveCount(Environment.ProcessorCount);
        stats.Cpu.Usage.PercpuUser.Should().HaveCount(Environment.ProcessorCount);
        stats.Cpuset.Cpus.Should().NotBeEmpty();
        stats.Blkio.IoServiceBytesRecursive.Should().NotBeNull();
    }

    [Fact]
    public void Destroy_kills_every_process_and_removes_every_directory()
    {
        using var cg = new TestCgroup();
        var first = cg.Started();
        var second = cg.Sleep();
        cg.Manager.AddProcess(second.Id);

        cg.Manager.Destroy();

        first.WaitForExit(5000).Should().BeTrue();
        second.WaitForExit(5000).Should().BeTrue();
        first.ExitCode.Should().Be(128 + 9, "SIGKILL");
        foreach (string dir in cg.Manager.Paths.Values) Directory.Exists(dir).Should().BeFalse(dir);
    }

    [Fact]
    public void Destroy_reaches_frozen_processes_and_sub_cgroups()
    {
        using var cg = new TestCgroup();
        cg.Manager.Create(null);
        string sub = Path.Combine(cg.Dir("memory"), "inner");
        Directory.CreateDirectory(sub);
        var p = cg.Sleep();
        cg.Manager.AddProcess(p.Id);
        File.WriteAllText(Path.Combine(sub, "cgroup.procs"), p.Id.ToString());
        cg.Manager.Freeze(true);

        cg.Manager.Destroy();

        p.WaitForExit(5000).Should().BeTrue();
        Directory.Exists(cg.Dir("memory")).Should().BeFalse();
    }

    [Fact]
    public void Destroy_of_a_missing_cgroup_is_no_error()
    {
        using var cg = new TestCgroup();

        cg.Manager.Destroy();
        cg.Manager.Create(null);
        cg.Manager.Destroy();
        cg.Manager.Destroy();

        Directory.Exists(cg.Dir("memory")).Should().BeFalse();
    }

    [Fact]
    public void A_manager_reloaded_from_its_paths_sees_and_destroys_the_same_cgroup()
    {
        using var cg = new TestCgroup();
        var p = cg.Started();

        var reloaded = CgroupManager.FromPaths(cg.Manager.Paths);

        reloaded.Should().BeOfType<V1Manager>();
        reloaded.Paths.Should().Equal(cg.Manager.Paths);
        reloaded.Pids().Should().Equal(p.Id);
        reloaded.Destroy();
        p.WaitForExit(5000).Should().BeTrue();
    }

    [Fact]
    public void SignalAll_delivers_the_signal_to_every_process()
    {
        using var cg = new TestCgroup();
        var p = cg.Started();

        cg.Manager.SignalAll(15);

        p.WaitForExit(5000).Should().BeTrue();
        p.ExitCode.Should().Be(128 + 15);
    }
}
