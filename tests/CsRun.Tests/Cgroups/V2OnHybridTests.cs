using CsRun.Cgroups;
using CsRun.Errors;
using CsRun.Spec;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Cgroups;

/// <summary>
/// The v2 manager on this host's hybrid cgroup2 mount, which has no controllers enabled: the
/// core files (cgroup.procs, cgroup.freeze, cgroup.kill, cpu.stat) are real v2 behaviour. The
/// test's parent cgroup stands in for the mount point, so that nothing is enabled in the host's
/// real root. A host without a cgroup2 mount has nothing to test here.
/// </summary>
public class V2OnHybridTests
{
    internal static readonly string? UnifiedMount =
        CgroupLayout.Detect().Mounts.TryGetValue(CgroupLayout.Unified, out var m) ? m.MountPoint : null;

    internal static void InV2Cgroup(Action<TestCgroup> test)
    {
        if (UnifiedMount == null) return;
        string parent = $"{UnifiedMount}/csrun-test-{Guid.NewGuid():N}";
        Directory.CreateDirectory(parent);
        try
        {
            using var cg = new TestCgroup(name => new V2Manager($"{parent}/{name}", parent));
            test(cg);
        }
        finally
        {
            CgroupDirs.Remove(parent);
        }
    }

    [Fact]
    public void Create_join_freeze_and_destroy() => InV2Cgroup(cg =>
    {
        var p = cg.Started();
        string dir = cg.Dir(CgroupLayout.Unified);

        cg.Manager.Pids().Should().Equal(p.Id);
        File.ReadAllText($"/proc/{p.Id}/cgroup").Should().Contain($"0::/{Path.GetFileName(Path.GetDirectoryName(dir))}/{cg.Name}\n");

        cg.Manager.Freeze(true);
        cg.Manager.IsFrozen().Should().BeTrue();
        File.ReadAllText(Path.Combine(dir, "cgroup.events")).Should().Contain("frozen 1");
        cg.Manager.Freeze(false);
        cg.Manager.IsFrozen().Should().BeFalse();

        cg.Manager.Destroy();
        p.WaitForExit(5000).Should().BeTrue();
        Directory.Exists(dir).Should().BeFalse();
    });

    [Fact]
    public void A_frozen_cgroup_is_destroyed() => InV2Cgroup(cg =>
    {
        var p = cg.Started();
        cg.Manager.Freeze(true);

        cg.Manager.Destroy();

        p.WaitForExit(5000).Should().BeTrue();
        Directory.Exists(cg.Dir(CgroupLayout.Unified)).Should().BeFalse();
    });

    [Fact]
    public void Unified_values_are_written_and_an_absent_controller_is_named() => InV2Cgroup(cg =>
    {
        cg.Started();

        cg.Manager.Apply(new Resources { Unified = new() { ["cgroup.max.descendants"] = "7" } });
        cg.Read(CgroupLayout.Unified, "cgroup.max.descendants").Should().Be("7");

        var act = () => cg.Manager.Apply(new Resources { Unified = new() { ["memory.high"] = "1G" } });
        act.Should().Throw<RuntimeError>()
            .WithMessage("linux.resources.unified.memory.high: unified resource \"memory.high\" can't be set: controller \"memory\" not available");
    });

    [Fact]
    public void Stats_read_cpu_usage_and_count_processes_without_the_pids_controller() => InV2Cgroup(cg =>
    {
        cg.Started();

        var stats = cg.Manager.Stats();

        stats.Pids.Current.Should().Be(1);
        stats.Pids.Limit.Should().Be(0);
        stats.Memory.Raw.Should().BeNull("the memory controller is not enabled here");
    });

    [Fact]
    public void Reloaded_from_a_single_unified_path_it_is_a_v2_manager() =>
        CgroupManager.FromPaths(new Dictionary<string, string> { [""] = "/sys/fs/cgroup/x" }).Should().BeOfType<V2Manager>();
}
