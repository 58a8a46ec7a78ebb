using CsRun.Tests.Clients.Cri;
using CsRun.Tests.Integration;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Clients;

/// <summary>
/// A container's resources through the CRI and csrun: limits in its cgroup, kubelet's updates, the OOM kill.
/// </summary>
[Collection(ClientsCollection.Name)]
public sealed class CriResourceTests : CriTestBase
{
    public CriResourceTests(ClientsFixture fixture) : base(fixture) { }

    [CriFact]
    public void Memory_and_cpu_limits_are_in_the_container_cgroup_and_updates_reach_it()
    {
        var pod = RunPod(NewName("limits"));
        var config = CriPods.Container("limited", "sleep", "1000");
        config.Linux.Resources.MemoryLimitInBytes = 64 << 20;
        config.Linux.Resources.CpuPeriod = 100_000;
        config.Linux.Resources.CpuQuota = 50_000;
        string id = StartContainer(pod, config);
        AssertRuntimeHas(id, "running");

        string memory = Path.Combine("/sys/fs/cgroup/memory", Cri.CgroupParent.TrimStart('/'), id);
        string cpu = Path.Combine("/sys/fs/cgroup/cpu", Cri.CgroupParent.TrimStart('/'), id);
        File.ReadAllText(Path.Combine(memory, "memory.limit_in_bytes")).Trim().Should().Be((64 << 20).ToString());
        File.ReadAllText(Path.Combine(cpu, "cpu.cfs_quota_us")).Trim().Should().Be("50000");
        // Inside, the container's own cgroup is its /sys/fs/cgroup/<controller>.
        Exec(id, "cat", "/sys/fs/cgroup/memory/memory.limit_in_bytes").Stdout.ToStringUtf8().Trim().Should().Be((64 << 20).ToString());
        Exec(id, "cat", "/sys/fs/cgroup/cpu/cpu.cfs_quota_us").Stdout.ToStringUtf8().Trim().Should().Be("50000");

        // kubelet resends the whole resources block (csrun update -r through the shim).
        Rt.UpdateContainerResources(new UpdateContainerResourcesRequest
        {
            ContainerId = id,
            Linux = new LinuxContainerResources { MemoryLimitInBytes = 96 << 20, CpuPeriod = 100_000, CpuQuota = 25_000, CpuShares = 512 },
        });
        File.ReadAllText(Path.Combine(memory, "memory.limit_in_bytes")).Trim().Should().Be((96 << 20).ToString());
        File.ReadAllText(Path.Combine(cpu, "cpu.cfs_quota_us")).Trim().Should().Be("25000");
        File.ReadAllText(Path.Combine(cpu, "cpu.shares")).Trim().Should().Be("512");

        Rt.StopContainer(new StopContainerRequest { ContainerId = id, Timeout = 0 });
        Status(id).ExitCode.Should().Be(137, "timeout 0 kills at once");
        Rt.RemoveContainer(new ContainerIdRequest { ContainerId = id });
        RemovePod(pod.Id);
    }

    [CriFact]
    public void A_container_over_its_memory_limit_is_OOMKilled()
    {
        var pod = RunPod(NewName("oom"));
        var config = CriPods.Container("hog", "sh", "-c", "echo start; tail /dev/zero");
        config.Linux.Resources.MemoryLimitInBytes = 16 << 20;
        string id = StartContainer(pod, config);
        // The shim watches the cgroup csrun made (memory.oom_control on v1) and reports the OOM kill.
        LifecycleTests.WaitFor(() => Status(id).State == ContainerState.ContainerExited);
        var s = Status(id);
        s.Reason.Should().Be("OOMKilled", s.ToString());
        s.ExitCode.Should().Be(137);
        Rt.RemoveContainer(new ContainerIdRequest { ContainerId = id });
        RemovePod(pod.Id);
    }
}
