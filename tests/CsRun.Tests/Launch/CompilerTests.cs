using CsRun.Container;
using CsRun.Launch;
using CsRun.Launch.Child;
using CsRun.Spec;
using CsRun.Tests.Integration;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Launch;

/// <summary>The setup program compiled from a config, asserted step by step without running anything.</summary>
public class CompilerTests
{
    static readonly (string, bool)[] V1Tasks = { ("/sys/fs/cgroup/memory/c/tasks", false), ("/sys/fs/cgroup/systemd/c/tasks", true) };

    static SetupProgram Compile(Config config, bool noPivot = false, IReadOnlyList<(string, bool)>? selfJoin = null, byte[]? cpuMask = null) =>
        Compiler.Compile(new CompileContext
        {
            Config = config, BundleDir = "/bundle", Rootfs = "/bundle/rootfs", NoPivot = noPivot, FifoFd = 7,
            HostBounding = ulong.MaxValue, CgroupSelfJoin = selfJoin ?? Array.Empty<(string, bool)>(), CpuMask = cpuMask,
        });

    static T Args<T>(Step s) where T : unmanaged => s.ArgsAs<T>();
    static List<StepKind> Kinds(SetupProgram p) => p.Steps.Select(s => s.Kind).ToList();

    [Fact]
    public void No_joins_means_one_clone_with_every_new_namespace_but_cgroup_and_time()
    {
        var c = Bundle.DefaultConfig(new[] { "true" });
        var p = Compile(c);
        p.CloneFlags.Should().Be(CsRun.Linux.CloneFlags.NewPid | CsRun.Linux.CloneFlags.NewNet | CsRun.Linux.CloneFlags.NewIpc
            | CsRun.Linux.CloneFlags.NewUts | CsRun.Linux.CloneFlags.NewNs);
        p.Steps[0].Kind.Should().Be(StepKind.SyncWait, "nothing happens before the parent has put the child in its cgroup");
        p.Steps.Should().ContainSingle(s => s.Kind == StepKind.Unshare && Args<UnshareStep>(s).CloneFlags == CsRun.Linux.CloneFlags.NewCgroup);
        Kinds(p).Should().NotContain(StepKind.ForkInit);
    }

    [Fact]
    public void On_v1_the_child_joins_every_hierarchy_itself_first_thing_after_go()
    {
        var p = Compile(Bundle.DefaultConfig(new[] { "true" }), selfJoin: V1Tasks);
        p.Steps.Skip(2).Take(2).Select(s => (s.Kind, s.Field)).Should().Equal(
            (StepKind.JoinCgroup, "linux.cgroupsPath"), (StepKind.JoinCgroup, "linux.cgroupsPath"));
        p.Steps[2].Text.Should().Be("join the cgroup: write 0 to /sys/fs/cgroup/memory/c/tasks");
        p.Steps.Skip(2).Take(2).Select(s => Args<JoinCgroupStep>(s).BestEffort).Should().Equal(false, true);
        p.SelfJoinsCgroup.Should().BeTrue();
        p.Joined(bornInCgroup: true).Should().Be(CsRun.Cgroups.CgroupJoined.CloneDir | CsRun.Cgroups.CgroupJoined.SelfJoinFiles);
    }

    [Fact]
    public void On_the_v1_fast_path_the_child_makes_its_network_namespace_while_the_parent_makes_the_cgroup()
    {
        var p = Compile(Bundle.DefaultConfig(new[] { "true" }), selfJoin: V1Tasks, cpuMask: new byte[] { 3 });
        p.CgroupAfterClone.Should().BeTrue();
        (p.CloneFlags & CsRun.Linux.CloneFlags.NewNet).Should().Be(0);
        p.Steps.Take(5).Select(s => s.Kind).Should().Equal(
            StepKind.Unshare, StepKind.SyncWait, StepKind.JoinCgroup, StepKind.JoinCgroup, StepKind.SetAffinity);
        Args<UnshareStep>(p.Steps[0]).CloneFlags.Should().Be(CsRun.Linux.CloneFlags.NewNet);
        Args<SetAffinityStep>(p.Steps[4]).Length.Should().Be(1024, "once in the cgroup the child asks for every CPU, not the mask CpuHandoff or csrun's caller gave");

        var c = Bundle.DefaultConfig(new[] { "true" });
        c.Linux!.Namespaces!.RemoveAll(n => n.Type == "network");
        Kinds(Compile(c, selfJoin: V1Tasks)).Take(2).Should().Equal(StepKind.SyncWait, StepKind.JoinCgroup);
    }

    [Fact]
    public void Joining_a_namespace_keeps_the_cgroup_made_before_the_clone()
    {
        var c = Bundle.DefaultConfig(new[] { "true" });
        c.Linux!.Namespaces!.First(n => n.Type == "pid").Path = "/proc/1/ns/pid";
        var p = Compile(c, selfJoin: V1Tasks, cpuMask: new byte[] { 3 });
        p.CgroupAfterClone.Should().BeFalse();
        Kinds(p).Take(4).Should().Equal(StepKind.JoinCgroup, StepKind.JoinCgroup, StepKind.SyncWait, StepKind.SetAffinity);
    }

    [Fact]
    public void A_child_born_in_a_new_user_namespace_leaves_the_cgroup_join_to_the_parent()
    {
        var c = Bundle.DefaultConfig(new[] { "true" });
        c.Linux!.Namespaces!.Add(new Namespace { Type = "user" });
        c.Linux.UidMappings = new() { new IdMapping { ContainerId = 0, HostId = 100000, Size = 65536 } };
        c.Linux.GidMappings = new() { new IdMapping { ContainerId = 0, HostId = 100000, Size = 65536 } };
        var p = Compile(c, selfJoin: V1Tasks);
        Kinds(p).Should().NotContain(StepKind.JoinCgroup);
        p.Joined(bornInCgroup: false).Should().Be(CsRun.Cgroups.CgroupJoined.None);
    }

    [Fact]
    public void Namespace_flags_are_named_in_config_order()
    {
        NamespaceCompiler.Describe(CsRun.Linux.CloneFlags.NewPid | CsRun.Linux.CloneFlags.NewNet | CsRun.Linux.CloneFlags.NewNs)
            .Should().Be("mount,network,pid");
        NamespaceCompiler.Describe(0).Should().BeEmpty();
    }

    [Fact]
    public void The_host_bounding_set_is_what_proc_status_says()
    {
        string line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("CapBnd:"));
        CapabilityMasks.HostBounding().Should().Be(Convert.ToUInt64(line["CapBnd:".Length..].Trim(), 16));
    }

    [Fact]
    public void The_order_is_mounts_then_pivot_then_masks_then_credentials_then_exec()
    {
        var p = Compile(Bundle.DefaultConfig(new[] { "sh" }));
        var k = Kinds(p);
        int Index(StepKind kind) => k.IndexOf(kind);
        int LastIndex(StepKind kind) => k.LastIndexOf(kind);
        Index(StepKind.MountHost).Should().BeLessThan(Index(StepKind.OpenRoot));
        LastIndex(StepKind.MountTarget).Should().BeLessThan(Index(StepKind.PivotRoot));
        Index(StepKind.PivotRoot).Should().BeLessThan(Index(StepKind.MaskPath));
        LastIndex(StepKind.ReadonlyPath).Should().BeLessThan(Index(StepKind.RemountRoot));
        Index(StepKind.DropBounding).Should().BeLessThan(Index(StepKind.Setuid));
        Index(StepKind.Setuid).Should().BeLessThan(Index(StepKind.Capset));
        Index(StepKind.FindExecutable).Should().BeLessThan(Index(StepKind.WaitStart), "a missing binary is a create error");
        Index(StepKind.SyncSend).Should().BeLessThan(Index(StepKind.WaitStart));
        k[^1].Should().Be(StepKind.Execve);
        p.ReadyIndex.Should().Be(k.FindIndex(x => x == StepKind.WaitStart));
    }

    [Fact]
    public void Mounts_name_their_config_field_and_resolve_in_the_root()
    {
        var c = Bundle.DefaultConfig(new[] { "true" });
        var p = Compile(c);
        var proc = p.Steps.First(s => s.Kind == StepKind.PrepareTarget && s.Field == "mounts[0].destination");
        Args<PrepareTargetStep>(proc).Kind.Should().Be(ChildFs.TargetRealDirectory, "proc must not land on a symlink");
        p.Steps.First(s => s.Kind == StepKind.MountTarget && s.Field == "mounts[1]").Text
            .Should().Be("mount tmpfs tmpfs on /dev flags nosuid|strictatime data \"mode=755,size=65536k\"");
    }

    [Fact]
    public void Joining_a_namespace_clones_plain_then_setns_unshare_and_fork()
    {
        var c = Bundle.DefaultConfig(new[] { "true" });
        c.Linux!.Namespaces!.First(n => n.Type == "mount").Path = "/proc/1/ns/mnt";
        var p = Compile(c);
        p.CloneFlags.Should().Be(0);
        var k = Kinds(p);
        k.IndexOf(StepKind.Setns).Should().BeLessThan(k.IndexOf(StepKind.Unshare));
        k.Should().Contain(StepKind.ForkInit, "a new pid namespace holds only the children of whoever unshared it");
        p.Joins.Should().Equal(("mount", "/proc/1/ns/mnt"));
    }

    /// <summary>podman's case: its network namespace joined, the rest made by the one clone.</summary>
    [Fact]
    public void Joining_only_network_ipc_or_uts_clones_into_the_new_namespaces_and_joins_after()
    {
        var c = Bundle.DefaultConfig(new[] { "true" });
        c.Linux!.Namespaces!.First(n => n.Type == "network").Path = "/proc/1/ns/net";
        var p = Compile(c, selfJoin: V1Tasks, cpuMask: new byte[] { 3 });
        p.CloneFlags.Should().Be(CsRun.Linux.CloneFlags.NewPid | CsRun.Linux.CloneFlags.NewNs | CsRun.Linux.CloneFlags.NewUts | CsRun.Linux.CloneFlags.NewIpc);
        p.CgroupAfterClone.Should().BeTrue("nothing is joined before the clone");
        var k = Kinds(p);
        k.Should().NotContain(StepKind.ForkInit);
        p.Steps.Where(s => s.Kind == StepKind.Unshare).Should().OnlyContain(s => Args<UnshareStep>(s).CloneFlags == CsRun.Linux.CloneFlags.NewCgroup, "only the cgroup namespace is unshared, late as always");
        k.Take(2).Should().Equal(StepKind.Setns, StepKind.SyncWait);
        p.Joins.Should().Equal(("network", "/proc/1/ns/net"));
    }

    /// <summary>The parent moves linux.netDevices into the namespace of the process that asks:
    /// it must be in its network namespace already, and still the one the parent cloned.</summary>
    [Fact]
    public void Net_devices_are_asked_for_after_the_namespaces_and_before_the_fork_into_a_joined_pid_namespace()
    {
        var c = Bundle.DefaultConfig(new[] { "true" });
        Compile(c).Steps.Should().NotContain(s => s.Kind == StepKind.SyncSend && Args<SyncSendStep>(s).Type == SyncType.NetDevices, "no device, no sync point");
        c.Linux!.NetDevices = new() { ["eth0"] = new NetDevice() };
        c.Linux.Namespaces!.First(n => n.Type == "pid").Path = "/proc/1/ns/pid";
        var p = Compile(c);
        var ask = p.Steps.FindIndex(s => s.Kind == StepKind.SyncSend && Args<SyncSendStep>(s).Type == SyncType.NetDevices);
        ask.Should().BeGreaterThan(p.Steps.FindLastIndex(s => s.Kind is StepKind.Setns or StepKind.Unshare));
        p.Steps[ask + 1].Should().Match<Step>(s => s.Kind == StepKind.SyncWait && Args<SyncWaitStep>(s).Expected == SyncType.NetDevicesDone);
        ask.Should().BeLessThan(p.Steps.FindIndex(s => s.Kind == StepKind.ForkInit));
    }

    [Fact]
    public void No_new_privileges_puts_seccomp_last_and_without_it_before_dropping_capabilities()
    {
        var c = Bundle.DefaultConfig(new[] { "true" });
        c.Linux!.Seccomp = new() { DefaultAction = "SCMP_ACT_ALLOW", Syscalls = new() { new() { Names = new() { "mkdir" }, Action = "SCMP_ACT_ERRNO" } } };
        var k = Kinds(Compile(c));
        k.IndexOf(StepKind.Seccomp).Should().Be(k.Count - 2, "with no_new_privs the filter goes on right before execve");
        c.Process!.NoNewPrivileges = false;
        k = Kinds(Compile(c));
        k.IndexOf(StepKind.Seccomp).Should().BeLessThan(k.IndexOf(StepKind.DropBounding), "without no_new_privs loading a filter needs CAP_SYS_ADMIN");
    }

    [Fact]
    public void Exec_candidates_follow_the_containers_PATH()
    {
        ProcessCompiler.ExecCandidates("sh", new() { "PATH=/a:/b/" }).Should().Equal("/a/sh", "/b/sh");
        ProcessCompiler.ExecCandidates("./x", new() { "PATH=/a" }).Should().Equal("./x");
        ProcessCompiler.ExecCandidates("sh", new()).Should().HaveCount(6);
    }

    [Fact]
    public void Describe_prints_one_line_per_step_with_its_field()
    {
        var text = Compile(Bundle.DefaultConfig(new[] { "true" })).Describe();
        text.Should().Contain("PivotRoot").And.Contain("[root.path]").And.Contain("execve [\"true\"]");
    }

    [Fact]
    public void A_cgroup_mount_stacked_on_another_binds_the_containers_cgroup_instead_of_a_second_cgroup2_mount()
    {
        // cgroup v2 (the VM test runs it for real: a second cgroup2 mount there is EBUSY).
        var c = Bundle.DefaultConfig(new[] { "true" });
        c.Mounts!.Add(new MountEntry { Destination = "/sys/fs/cgroup/", Type = "cgroup", Source = "cgroup", Options = new() { "ro" } });
        var p = Compiler.Compile(new CompileContext
        {
            Config = c, BundleDir = "/bundle", Rootfs = "/bundle/rootfs", FifoFd = 7,
            CgroupPaths = new Dictionary<string, string> { [""] = "/sys/fs/cgroup/csrun/c" },
        });
        var cgroup = p.Steps.Where(s => s.Text.Contains("/sys/fs/cgroup") && s.Kind is StepKind.MountTarget or StepKind.BindTarget).Select(s => s.Text).ToList();
        cgroup.Should().HaveCount(2);
        cgroup[0].Should().Be("mount cgroup2 on /sys/fs/cgroup");
        cgroup[1].Should().Be("bind /sys/fs/cgroup/csrun/c on /sys/fs/cgroup");
    }
}
