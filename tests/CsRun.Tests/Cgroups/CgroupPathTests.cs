using CsRun.Cgroups;
using CsRun.Errors;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Cgroups;

public class CgroupPathTests
{
    static readonly CgroupLayout Hybrid = CgroupLayout.Parse(HostSamples.HybridMountinfo, HostSamples.HybridSelf);
    static readonly CgroupLayout V2 = CgroupLayout.Parse(HostSamples.V2Mountinfo, HostSamples.V2Self);
    static readonly CgroupLayout Nested = CgroupLayout.Parse(HostSamples.NestedV1Mountinfo, HostSamples.NestedV1Self);

    [Fact]
    public void Absolute_paths_start_at_each_hierarchy_root()
    {
        var paths = CgroupPath.Resolve(Hybrid, "c1", "/csrun/c1");

        paths["memory"].Should().Be("/sys/fs/cgroup/memory/csrun/c1");
        paths["cpu"].Should().Be("/sys/fs/cgroup/cpu/csrun/c1");
        paths["name=systemd"].Should().Be("/sys/fs/cgroup/systemd/csrun/c1");
        paths[CgroupLayout.Unified].Should().Be("/sys/fs/cgroup/unified/csrun/c1");
        paths.Should().HaveCount(8);
    }

    [Fact]
    public void Relative_paths_start_at_csruns_own_cgroup_in_each_hierarchy()
    {
        var paths = CgroupPath.Resolve(Hybrid, "c1", "pod/c1");

        paths["memory"].Should().Be("/sys/fs/cgroup/memory/process_api/f430/pod/c1");
        paths["cpu"].Should().Be("/sys/fs/cgroup/cpu/pod/c1");
    }

    [Fact]
    public void Without_a_path_the_id_is_used_as_a_relative_path()
    {
        CgroupPath.Resolve(Hybrid, "c1", null)["memory"].Should().Be("/sys/fs/cgroup/memory/process_api/f430/c1");
        CgroupPath.Resolve(Hybrid, "c1", "")["devices"].Should().Be("/sys/fs/cgroup/devices/c1");
    }

    [Fact]
    public void On_v2_relative_paths_start_at_the_parent_of_csruns_own_cgroup()
    {
        CgroupPath.Resolve(V2, "c1", null).Should().Equal(new Dictionary<string, string>
        {
            [CgroupLayout.Unified] = "/sys/fs/cgroup/user.slice/user-1000.slice/c1",
        });
        CgroupPath.Resolve(V2, "c1", "/machine/c1")[CgroupLayout.Unified].Should().Be("/sys/fs/cgroup/machine/c1");
    }

    [Fact]
    public void A_mount_of_a_subtree_is_not_counted_twice()
    {
        var paths = CgroupPath.Resolve(Nested, "c1", null);

        paths["memory"].Should().Be("/sys/fs/cgroup/memory/c1");
        paths["cpu"].Should().Be("/sys/fs/cgroup/cpu,cpuacct/inner/c1");
        paths["cpuacct"].Should().Be(paths["cpu"]);
        paths.Keys.Should().NotContain("name=other", "only name=systemd among named hierarchies is joined");
    }

    [Theory]
    [InlineData("../escape", "must not leave the cgroup hierarchy with \"..\"")]
    [InlineData("a/../../escape", "must not leave the cgroup hierarchy with \"..\"")]
    [InlineData("/../escape", "must not leave the cgroup hierarchy with \"..\"")]
    [InlineData("/a/../..", "must not leave the cgroup hierarchy with \"..\"")]
    [InlineData("/", "must name a cgroup below its base")]
    [InlineData("a/..", "must name a cgroup below its base")]
    [InlineData("/./", "must name a cgroup below its base")]
    public void Paths_that_climb_out_or_name_the_base_itself_are_rejected(string path, string why)
    {
        var act = () => CgroupPath.Resolve(Hybrid, "c1", path);

        act.Should().Throw<RuntimeError>().Which.Message.Should().Be($"linux.cgroupsPath: {path}: {why}");
    }

    [Theory]
    [InlineData("a/../b//./c", "b/c")]
    [InlineData("/x/./y/", "x/y")]
    public void Harmless_dots_are_cleaned(string path, string clean) => CgroupPath.Clean(path).Should().Be(clean);

    [Fact]
    public void V1_without_the_devices_controller_is_refused()
    {
        const string mountinfo = "35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n";
        var layout = CgroupLayout.Parse(mountinfo, "4:memory:/\n");

        var act = () => CgroupPath.Resolve(layout, "c1", null);

        act.Should().Throw<RuntimeError>().WithMessage("mountpoint for devices not found");
    }
}
