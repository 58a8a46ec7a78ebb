using CsRun.Container;
using CsRun.Errors;
using CsRun.Launch;
using CsRun.Linux;
using CsRun.Rootfs;
using CsRun.Spec;
using CsRun.Tests.Integration;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Launch;

/// <summary>The plan and the parent's side of bind sources opened on the host (a user namespace).</summary>
public unsafe class HostBindSourcesTests
{
    static SetupProgram Compile(Config config) =>
        Compiler.Compile(new CompileContext { Config = config, BundleDir = "/bundle", Rootfs = "/bundle/rootfs", FifoFd = 7 });

    static Config WithBinds(bool userns)
    {
        var c = Bundle.DefaultConfig(new[] { "true" });
        if (userns) c.Linux!.Namespaces!.Add(new() { Type = "user" });
        c.Mounts!.Add(new() { Destination = "/a", Type = "bind", Source = "/tmp", Options = new() { "rbind", "ro" } });
        c.Mounts.Add(new() { Destination = "/b", Type = "tmpfs", Source = "tmpfs" });
        c.Mounts.Add(new() { Destination = "/c", Type = "none", Source = "/etc/hostname", Options = new() { "bind" } });
        return c;
    }

    [Fact]
    public void With_a_user_namespace_every_bind_source_is_opened_by_the_host_first()
    {
        var p = Compile(WithBinds(userns: true));
        var receive = p.Steps.Single(s => s.Kind == StepKind.ReceiveBindSources);
        var slots = receive.ArgsAs<ReceiveBindSourcesStep>();
        slots.Count.Should().Be(2);
        p.BindSources.Should().Equal(("mounts[7]", "/tmp"), ("mounts[9]", "/etc/hostname"));
        var binds = p.Steps.Where(s => s.Kind == StepKind.BindFromSource).ToList();
        binds.Select(s => (long)s.ArgsAs<BindFromSourceStep>().Slot).Should().Equal(new[] { (long)slots.Slots, (long)(slots.Slots + 1) }, "each bind takes its own slot, in order");
        binds.Select(s => s.ArgsAs<BindFromSourceStep>().Flags).Should().Equal((long)Ms.Rec, 0);
        binds[0].Text.Should().Be("bind /tmp (opened on the host) on /a recursively");
        p.Steps.IndexOf(receive).Should().BeLessThan(p.Steps.IndexOf(binds[0]));
        slots.Slots[0].Should().Be(-1, "a slot the parent never filled is no fd");
        // ro and the rest still apply to the bind, as before.
        p.Steps[p.Steps.IndexOf(binds[0]) + 1].Kind.Should().Be(StepKind.RemountTarget);
    }

    [Fact]
    public void Without_a_user_namespace_or_a_bind_nothing_changes()
    {
        var p = Compile(WithBinds(userns: false));
        p.Steps.Should().NotContain(s => s.Kind == StepKind.ReceiveBindSources || s.Kind == StepKind.BindFromSource);
        p.Steps.Count(s => s.Kind == StepKind.BindTarget && s.Field.StartsWith("mounts[")).Should().Be(2);

        var c = Bundle.DefaultConfig(new[] { "true" });
        c.Linux!.Namespaces!.Add(new() { Type = "user" });
        Compile(c).Steps.Should().NotContain(s => s.Kind == StepKind.ReceiveBindSources);
    }

    [Fact]
    public void The_parent_sends_each_source_as_an_fd_and_names_one_it_cannot_open()
    {
        var (parent, child) = SyncChannel.CreatePair();
        try
        {
            var p = new SetupProgram();
            p.BindSources.Add(("mounts[3]", "/etc/hostname"));
            HostBindSources.Send(parent, Files.TryOpen("/", O.Path | O.Directory), p);
            int fd = UnixSockets.ReceiveFd(child);
            fd.Should().BeGreaterThan(2);
            new FileInfo($"/proc/self/fd/{fd}").LinkTarget.Should().Be("/etc/hostname");
            Files.Close(fd);

            p.BindSources.Add(("mounts[4]", "/nonexistent-csrun-source"));
            var act = () => HostBindSources.Send(parent, Files.TryOpen("/", O.Path | O.Directory), p);
            act.Should().Throw<RuntimeError>().WithMessage("mounts[4].source: open /nonexistent-csrun-source: no such file or directory");
        }
        finally
        {
            Files.Close(parent);
            Files.Close(child);
        }
    }
}
