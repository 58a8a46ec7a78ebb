using System.Text.Json;
using CsRun.Tests.Clients.Cri;
using CsRun.Tests.Integration;
using FluentAssertions;
using Grpc.Core;
using Xunit;

namespace CsRun.Tests.Clients;

/// <summary>
/// Kubernetes' path to csrun: CRI gRPC calls as kubelet makes them -> containerd 1.6's CRI plugin ->
/// the runc v2 shim -> csrun, chosen by the runtime handler "csrun" (what a RuntimeClass names).
/// Each test checks csrun's own state (its --root) so that a silent fallback to runc cannot pass.
/// </summary>
[Collection(ClientsCollection.Name)]
public sealed class CriTests : IDisposable
{
    readonly ClientsFixture _fixture;
    CriContainerd Cri => _fixture.Cri;
    RuntimeService.RuntimeServiceClient Rt => Cri.Runtime;

    public CriTests(ClientsFixture fixture) => _fixture = fixture;

    public void Dispose()
    {
        if (_fixture.CriStarted) Cri.RemoveAll();
    }

    static string NewName(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..8];

    (string Id, PodSandboxConfig Config) RunPod(string name)
    {
        var config = CriPods.Pod(Cri, name);
        var id = Rt.RunPodSandbox(new RunPodSandboxRequest { Config = config, RuntimeHandler = CriContainerd.Handler }).PodSandboxId;
        return (id, config);
    }

    string StartContainer((string Id, PodSandboxConfig Config) pod, ContainerConfig config)
    {
        string id = Rt.CreateContainer(new CreateContainerRequest { PodSandboxId = pod.Id, Config = config, SandboxConfig = pod.Config }).ContainerId;
        Rt.StartContainer(new ContainerIdRequest { ContainerId = id });
        return id;
    }

    ExecSyncResponse Exec(string id, params string[] cmd)
    {
        var req = new ExecSyncRequest { ContainerId = id, Timeout = 20 };
        req.Cmd.AddRange(cmd);
        return Rt.ExecSync(req);
    }

    ContainerStatus Status(string id) => Rt.ContainerStatus(new ContainerIdRequest { ContainerId = id }).Status;

    /// <summary>`csrun state` with the root the shim gave it: the container is csrun's, in that state.</summary>
    void AssertRuntimeHas(string id, string status)
    {
        var r = Cri.RuntimeState(id);
        r.ExitCode.Should().Be(0, $"{CriContainerd.RuntimeBinary} must hold the state of {id}: {r}");
        JsonDocument.Parse(r.Stdout).RootElement.GetProperty("status").GetString().Should().Be(status);
    }

    void RemovePod(string podId)
    {
        Rt.StopPodSandbox(new PodSandboxIdRequest { PodSandboxId = podId });
        Rt.RemovePodSandbox(new PodSandboxIdRequest { PodSandboxId = podId });
        Cri.WaitForShimsToExit();
        Cri.Leftovers().Should().BeEmpty("removing the pod must leave no container, state, shim, mount or cgroup");
    }

    [CriFact]
    public void Version_and_status_show_containerd_with_the_csrun_handler()
    {
        var v = Rt.Version(new VersionRequest { Version = "v1" });
        v.RuntimeName.Should().Be("containerd");
        v.RuntimeApiVersion.Should().Be("v1");

        var s = Rt.Status(new StatusRequest { Verbose = true });
        s.Status.Conditions.Should().Contain(c => c.Type == "RuntimeReady" && c.Status, s.ToString());
        var runtimes = JsonDocument.Parse(s.Info["config"]).RootElement.GetProperty("containerd").GetProperty("runtimes");
        var handler = runtimes.GetProperty(CriContainerd.Handler);
        handler.GetProperty("runtimeType").GetString().Should().Be("io.containerd.runc.v2");
        handler.GetProperty("options").GetProperty("BinaryName").GetString().Should().Be(CriContainerd.RuntimeBinary);
    }

    [CriFact]
    public void A_pod_runs_execs_logs_and_stops_on_csrun()
    {
        var pod = RunPod(NewName("pod"));
        var podStatus = Rt.PodSandboxStatus(new PodSandboxIdRequest { PodSandboxId = pod.Id }).Status;
        podStatus.State.Should().Be(PodSandboxState.SandboxReady);
        podStatus.RuntimeHandler.Should().Be(CriContainerd.Handler);
        AssertRuntimeHas(pod.Id, "running");

        string id = StartContainer(pod, CriPods.Container("main", "sh", "-c",
            "trap 'echo got TERM; exit 42' TERM; echo hello from csrun; while :; do sleep 0.2; done"));
        Status(id).State.Should().Be(ContainerState.ContainerRunning);
        AssertRuntimeHas(id, "running");
        string log = Path.Combine(pod.Config.LogDirectory, "main", "0.log");
        LifecycleTests.WaitFor(() => File.Exists(log) && File.ReadAllText(log).Contains(" stdout F hello from csrun"));

        var r = Exec(id, "sh", "-c", "echo out; echo err >&2; exit 3");
        r.Stdout.ToStringUtf8().Should().Be("out\n");
        r.Stderr.ToStringUtf8().Should().Be("err\n");
        r.ExitCode.Should().Be(3);
        // The exec joined the container: its PID namespace, where the container's shell is PID 1.
        Exec(id, "cat", "/proc/1/cmdline").Stdout.ToStringUtf8().Should().StartWith("sh\0-c\0trap");

        var stats = Rt.ContainerStats(new ContainerIdRequest { ContainerId = id }).Stats;
        stats.Cpu.UsageCoreNanoSeconds.Value.Should().BeGreaterThan(0);
        stats.Memory.WorkingSetBytes.Should().NotBeNull();

        Rt.StopContainer(new StopContainerRequest { ContainerId = id, Timeout = 10 });
        var stopped = Status(id);
        stopped.State.Should().Be(ContainerState.ContainerExited);
        stopped.ExitCode.Should().Be(42);
        stopped.Reason.Should().Be("Error");
        File.ReadAllText(log).Should().Contain(" stdout F got TERM");
        Cri.RuntimeState(id).ExitCode.Should().NotBe(0, "on the exit event the CRI deletes the task: csrun delete");

        Rt.RemoveContainer(new ContainerIdRequest { ContainerId = id });
        RemovePod(pod.Id);
    }

    [CriFact]
    public void Only_pods_naming_the_handler_run_on_csrun()
    {
        var config = CriPods.Pod(Cri, NewName("default"));
        string id = Rt.RunPodSandbox(new RunPodSandboxRequest { Config = config }).PodSandboxId;
        Directory.Exists(Path.Combine(Cri.DefaultRuntimeRoot, CriContainerd.Namespace, id)).Should().BeTrue("no handler: containerd's default runtime, runc");
        Cri.RuntimeState(id).ExitCode.Should().NotBe(0, "csrun's root does not have it");

        var unknown = () => Rt.RunPodSandbox(new RunPodSandboxRequest { Config = CriPods.Pod(Cri, NewName("unknown")), RuntimeHandler = "no-such-handler" });
        unknown.Should().Throw<RpcException>().Which.Status.Detail.Should().Contain("no-such-handler");
        RemovePod(id);
    }

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
    public void RuntimeDefault_seccomp_filters_the_container_and_its_execs()
    {
        var pod = RunPod(NewName("seccomp"));
        var config = CriPods.Container("filtered", "sleep", "1000");
        config.Linux.SecurityContext.Seccomp = new SecurityProfile { ProfileType = SecurityProfile.Types.ProfileType.RuntimeDefault };
        string id = StartContainer(pod, config);
        Exec(id, "grep", "^Seccomp:", "/proc/1/status").Stdout.ToStringUtf8().Should().Contain("2", "containerd's default profile is a filter");
        Exec(id, "grep", "^Seccomp:", "/proc/self/status").Stdout.ToStringUtf8().Should().Contain("2");
        // The default profile blocks unshare(CLONE_NEWUSER... ) for an unprivileged pod: unshare fails with EPERM.
        var r = Exec(id, "unshare", "-U", "true");
        r.ExitCode.Should().NotBe(0, r.ToString());
        RemovePod(pod.Id);
    }

    [CriFact]
    public void A_missing_executable_fails_StartContainer_with_csruns_message()
    {
        var pod = RunPod(NewName("missing"));
        var config = CriPods.Container("broken", "no-such-binary");
        string id = Rt.CreateContainer(new CreateContainerRequest { PodSandboxId = pod.Id, Config = config, SandboxConfig = pod.Config }).ContainerId;
        var start = () => Rt.StartContainer(new ContainerIdRequest { ContainerId = id });
        start.Should().Throw<RpcException>().Which.Status.Detail
            .Should().Contain("OCI runtime create failed").And.Contain("exec: \"no-such-binary\": executable file not found in $PATH");
        Rt.RemoveContainer(new ContainerIdRequest { ContainerId = id });
        RemovePod(pod.Id);
    }
}
