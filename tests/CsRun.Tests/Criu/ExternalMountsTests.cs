using CsRun.Criu;
using CsRun.Spec;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Criu;

/// <summary>
/// Which mounts CRIU is told are external. The cgroup cases follow CgroupMountCompiler: where the
/// container gets binds of its cgroup directories (no cgroup namespace of its own), each bind is
/// external, so that a dump on a systemd host (the binds are slaves of its shared cgroup mount)
/// does not fail on "unreachable sharing" and a restore binds the new container's cgroup. The
/// v2 case runs for real in the VM (tests/vm/criu-guest.sh); this host is cgroup v1.
/// </summary>
public class ExternalMountsTests
{
    static readonly Dictionary<string, string> V2 = new() { [""] = "/sys/fs/cgroup/csrun/c1" };
    static readonly Dictionary<string, string> V1 = new() { ["memory"] = "/sys/fs/cgroup/memory/csrun/c1", ["name=systemd"] = "/sys/fs/cgroup/systemd/csrun/c1" };

    static Config With(params Namespace[] namespaces) => new()
    {
        Mounts = new() { new MountEntry { Destination = "/sys/fs/cgroup", Type = "cgroup", Source = "cgroup", Options = new() { "ro" } } },
        Linux = new LinuxConfig { Namespaces = new List<Namespace> { new Namespace { Type = "mount" } }.Concat(namespaces).ToList() },
    };

    [Fact]
    public void The_v2_cgroup_bind_without_a_cgroup_namespace_is_external_and_restores_the_new_cgroup()
    {
        ExternalMounts.Of(With(), "/b", V2).Should().Equal(("/sys/fs/cgroup", "/sys/fs/cgroup/csrun/c1"));
        ExternalMounts.Of(With(new Namespace { Type = "cgroup", Path = "/proc/1/ns/cgroup" }), "/b", V2)
            .Should().Equal(new[] { ("/sys/fs/cgroup", "/sys/fs/cgroup/csrun/c1") }, "a joined cgroup namespace gets the bind too");
    }

    [Fact]
    public void A_cgroup_namespace_of_its_own_mounts_cgroupfs_afresh_which_is_not_external()
    {
        ExternalMounts.Of(With(new Namespace { Type = "cgroup" }), "/b", V2).Should().BeEmpty();
        ExternalMounts.Of(With(new Namespace { Type = "cgroup" }), "/b", V1).Should().BeEmpty();
    }

    [Fact]
    public void The_v1_binds_without_a_cgroup_namespace_are_external_one_per_hierarchy()
    {
        ExternalMounts.Of(With(), "/b", V1).Should().BeEquivalentTo(new[]
        {
            ("/sys/fs/cgroup/memory", "/sys/fs/cgroup/memory/csrun/c1"),
            ("/sys/fs/cgroup/systemd", "/sys/fs/cgroup/systemd/csrun/c1"),
        });
    }
}
