using CsRun.Cgroups;
using CsRun.Errors;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Cgroups;

public class CgroupLayoutTests
{
    [Fact]
    public void V1_controllers_with_a_cgroup2_mount_are_hybrid()
    {
        var layout = CgroupLayout.Parse(HostSamples.HybridMountinfo, HostSamples.HybridSelf);

        layout.Mode.Should().Be(CgroupMode.Hybrid);
        layout.Mounts["memory"].Should().Be(new CgroupMount("/sys/fs/cgroup/memory", "/"));
        layout.Mounts["name=systemd"].MountPoint.Should().Be("/sys/fs/cgroup/systemd");
        layout.Mounts[CgroupLayout.Unified].MountPoint.Should().Be("/sys/fs/cgroup/unified");
        layout.Mounts.Keys.Should().NotContain(new[] { "rw", "xattr" }, "mount flags are not controllers");
        layout.Own["memory"].Should().Be("/process_api/f430");
    }

    [Fact]
    public void A_single_cgroup2_mount_is_v2()
    {
        var layout = CgroupLayout.Parse(HostSamples.V2Mountinfo, HostSamples.V2Self);

        layout.Mode.Should().Be(CgroupMode.V2);
        layout.Mounts.Keys.Should().Equal(CgroupLayout.Unified);
        layout.Own[CgroupLayout.Unified].Should().Be("/user.slice/user-1000.slice/session-3.scope");
    }

    [Fact]
    public void Comounted_controllers_share_one_mount_and_the_mount_root_is_kept()
    {
        var layout = CgroupLayout.Parse(HostSamples.NestedV1Mountinfo, HostSamples.NestedV1Self);

        layout.Mode.Should().Be(CgroupMode.V1);
        layout.Mounts["cpu"].Should().BeSameAs(layout.Mounts["cpuacct"]);
        layout.Mounts["cpu"].Should().Be(new CgroupMount("/sys/fs/cgroup/cpu,cpuacct", "/docker/abc"));
    }

    [Fact]
    public void Escaped_mount_points_are_decoded()
    {
        const string mountinfo = "35 31 0:32 / /sys/fs/cgroup/my\\040memory rw - cgroup cgroup rw,memory\n";

        CgroupLayout.Parse(mountinfo, "4:memory:/\n").Mounts["memory"].MountPoint.Should().Be("/sys/fs/cgroup/my memory");
    }

    [Fact]
    public void No_cgroup_mount_is_an_error()
    {
        var act = () => CgroupLayout.Parse("23 1 254:0 / / rw - ext4 /dev/vda rw\n", "0::/\n");

        act.Should().Throw<RuntimeError>().WithMessage("no cgroup mount found in mountinfo");
    }

    [Fact]
    public void This_host_is_detected()
    {
        var layout = CgroupLayout.Detect();

        layout.Mounts.Should().NotBeEmpty();
        foreach (var mount in layout.Mounts.Values) Directory.Exists(mount.MountPoint).Should().BeTrue(mount.MountPoint);
    }
}
