using CsRun.Container;
using CsRun.Launch;
using CsRun.Spec;
using CsRun.Tests.Integration;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Launch;

/// <summary>Id-mapped binds in the compiled program: where the child gets each source, and what
/// the parent is told to map it with (<see cref="Rootfs.IdmapMounts"/>).</summary>
public unsafe class IdmapCompileTests : IDisposable
{
    readonly string _bundle = Directory.CreateTempSubdirectory("csrun-idmc-").FullName;
    string Rootfs => Path.Combine(_bundle, "rootfs");

    public IdmapCompileTests() => Directory.CreateDirectory(Path.Combine(Rootfs, "data"));

    public void Dispose() => Directory.Delete(_bundle, recursive: true);

    SetupProgram Compile(Config c) => Compiler.Compile(new CompileContext
    {
        Config = c, BundleDir = _bundle, Rootfs = Rootfs, FifoFd = 7, HostBounding = ulong.MaxValue,
    });

    static Config WithMounts(bool userns, params MountEntry[] mounts)
    {
        var c = Bundle.DefaultConfig(new[] { "true" });
        if (userns)
        {
            c.Linux!.Namespaces!.Add(new Namespace { Type = "user" });
            c.Linux.UidMappings = new() { new IdMapping { ContainerId = 0, HostId = 100000, Size = 65536 } };
            c.Linux.GidMappings = new() { new IdMapping { ContainerId = 0, HostId = 100000, Size = 65536 } };
        }
        c.Mounts = mounts.ToList();
        return c;
    }

    static readonly List<IdMapping> Own = new() { new IdMapping { ContainerId = 0, HostId = 1000, Size = 10 } };

    [Fact]
    public void With_a_user_namespace_host_sources_go_through_the_parents_fds_and_rootfs_sources_through_the_rootfs()
    {
        var p = Compile(WithMounts(true,
            new MountEntry { Destination = "/a", Source = "/tmp", Options = new() { "rbind", "ridmap" } },
            new MountEntry { Destination = "/b", Source = "/tmp", Options = new() { "bind" }, UidMappings = Own, GidMappings = Own },
            new MountEntry { Destination = "/c", Source = "/tmp", Options = new() { "rbind" } },
            new MountEntry { Destination = "/d", Source = Path.Combine(Rootfs, "data"), Options = new() { "bind", "idmap" } }));
        var idmaps = p.Steps.Where(s => s.Kind == StepKind.IdmapBind).ToList();
        idmaps.Select(s => s.Field).Should().Equal("mounts[0]", "mounts[1]", "mounts[3]");
        // mounts[0] and [1] take the first two slots the parent fills; [2] is a plain bind in the third.
        var receive = p.Steps.Single(s => s.Kind == StepKind.ReceiveBindSources);
        var slots = receive.ArgsAs<ReceiveBindSourcesStep>();
        slots.Count.Should().Be(3);
        Slot(idmaps[0]).Should().Be((long)slots.Slots);
        Slot(idmaps[1]).Should().Be((long)(slots.Slots + 1));
        ((long)p.Steps.Single(s => s.Kind == StepKind.BindFromSource).ArgsAs<BindFromSourceStep>().Slot).Should().Be((long)(slots.Slots + 2));
        p.BindSources.Select(s => s.Field).Should().Equal("mounts[0]", "mounts[1]", "mounts[2]");
        idmaps.Select(s => s.ArgsAs<IdmapBindStep>()).Select(a => (a.BindFlags, a.Index, a.InRootfs))
            .Should().Equal(((long)CsRun.Linux.Ms.Rec, 0, false), (0, 1, false), (0, 2, true));
        Slot(idmaps[2]).Should().Be(0, "a source in the rootfs is resolved by the child in it, not opened by the host");
        idmaps[2].Text.Should().Be($"bind {Rootfs}/data (resolved in the rootfs) on /d, idmap with the container's user namespace");
        p.IdmapMounts.Select(m => (m.RecursiveIdmap, m.Uid == null, m.InRootfs)).Should().Equal((true, true, null), (false, false, null), (false, true, "data"));
    }

    [Fact]
    public void Without_a_user_namespace_the_child_clones_the_host_path()
    {
        var p = Compile(WithMounts(false, new MountEntry { Destination = "/a", Source = "/tmp", Options = new() { "bind", "idmap" }, UidMappings = Own, GidMappings = Own }));
        p.Steps.Should().NotContain(s => s.Kind == StepKind.ReceiveBindSources);
        var step = p.Steps.Single(s => s.Kind == StepKind.IdmapBind);
        var args = step.ArgsAs<IdmapBindStep>();
        ((long)args.Slot, args.InRootfs).Should().Be((0L, false));
        args.Path.Should().NotBe(0);
        step.Text.Should().Be("bind /tmp on /a, idmap with the mount's maps");
        p.IdmapMounts.Single().Uid.Should().BeSameAs(Own);
    }

    static long Slot(Step s) => (long)s.ArgsAs<IdmapBindStep>().Slot;
}
