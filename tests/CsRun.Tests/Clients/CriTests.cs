using System.Text.Json;
using CsRun.Tests.Clients.Cri;
using CsRun.Tests.Integration;
using FluentAssertions;
using Grpc.Core;
using Xunit;

namespace CsRun.Tests.Clients;

/// <summary>
/// Kubernetes' path to csrun: CRI gRPC calls as kubelet makes them -> containerd 1.6's CRI plugin ->
/// the runc v2 shim -> csrun, chosen by the runtime handler "csrun" (what a RuntimeClass names):
/// the handler, a pod's lifecycle, execs (also streamed with a tty) and errors. Each test checks
/// csrun's own state (its --root) so that a silent fallback to runc cannot pass.
/// </summary>
[Collection(ClientsCollection.Name)]
public sealed class CriTests : CriTestBase
{
    public CriTests(ClientsFixture fixture) : base(fixture) { }

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
    public async Task Streaming_exec_with_a_tty_takes_input_and_resizes()
    {
        var pod = RunPod(NewName("tty"));
        string id = StartContainer(pod, CriPods.Container("main", "sleep", "1000"));
        var req = new ExecRequest { ContainerId = id, Tty = true, Stdin = true, Stdout = true };
        req.Cmd.Add("sh");
        string url = Rt.Exec(req).Url;

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var stream = await CriStream.Connect(url, cts.Token);
        await stream.SendResize(100, 30, cts.Token);
        // The resize reaches the pty asynchronously (shim -> console): the shell waits to see it.
        await stream.SendStdin("while [ \"$(stty size)\" != '30 100' ]; do sleep 0.1; done; stty size; tty; exit 5\n", cts.Token);
        var (stdout, stderr, status) = await stream.ReadToEnd(cts.Token);

        var lines = stdout.Split("\r\n");
        lines.Should().Contain("30 100", stdout);
        lines.Should().Contain(l => l.StartsWith("/dev/pts/"), "the exec has its own pty: " + stdout);
        stderr.Should().BeEmpty("a tty merges stderr into stdout");
        status.Should().Contain("NonZeroExitCode").And.Contain("\"message\":\"5\"");
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
