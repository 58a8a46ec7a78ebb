using System.Text.Json;
using CsRun.Tests.Clients.Cri;
using FluentAssertions;

namespace CsRun.Tests.Clients;

/// <summary>
/// What the CRI tests share: kubelet's calls to the fixture's containerd (handler csrun), and the
/// checks that the runtime really was csrun and that a removed pod left nothing behind. Each
/// subclass is in the container managers' collection (xunit reads [Collection] on the test class itself).
/// </summary>
public abstract class CriTestBase : IDisposable
{
    protected readonly ClientsFixture _fixture;
    private protected CriContainerd Cri => _fixture.Cri;
    private protected RuntimeService.RuntimeServiceClient Rt => Cri.Runtime;

    protected CriTestBase(ClientsFixture fixture) => _fixture = fixture;

    public void Dispose()
    {
        if (_fixture.CriStarted) Cri.RemoveAll();
    }

    protected static string NewName(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..8];

    private protected (string Id, PodSandboxConfig Config) RunPod(string name, bool podNetwork = false)
    {
        var config = CriPods.Pod(Cri, name, podNetwork);
        var id = Rt.RunPodSandbox(new RunPodSandboxRequest { Config = config, RuntimeHandler = CriContainerd.Handler }).PodSandboxId;
        return (id, config);
    }

    private protected string StartContainer((string Id, PodSandboxConfig Config) pod, ContainerConfig config)
    {
        string id = Rt.CreateContainer(new CreateContainerRequest { PodSandboxId = pod.Id, Config = config, SandboxConfig = pod.Config }).ContainerId;
        Rt.StartContainer(new ContainerIdRequest { ContainerId = id });
        return id;
    }

    private protected ExecSyncResponse Exec(string id, params string[] cmd)
    {
        var req = new ExecSyncRequest { ContainerId = id, Timeout = 20 };
        req.Cmd.AddRange(cmd);
        return Rt.ExecSync(req);
    }

    private protected ContainerStatus Status(string id) => Rt.ContainerStatus(new ContainerIdRequest { ContainerId = id }).Status;

    /// <summary>`csrun state` with the root the shim gave it: the container is csrun's, in that state.</summary>
    protected void AssertRuntimeHas(string id, string status)
    {
        var r = Cri.RuntimeState(id);
        r.ExitCode.Should().Be(0, $"{CriContainerd.RuntimeBinary} must hold the state of {id}: {r}");
        JsonDocument.Parse(r.Stdout).RootElement.GetProperty("status").GetString().Should().Be(status);
    }

    protected void RemovePod(string podId)
    {
        Rt.StopPodSandbox(new PodSandboxIdRequest { PodSandboxId = podId });
        Rt.RemovePodSandbox(new PodSandboxIdRequest { PodSandboxId = podId });
        Cri.WaitForShimsToExit();
        Cri.Leftovers().Should().BeEmpty("removing the pod must leave no container, state, shim, mount or cgroup");
    }
}
