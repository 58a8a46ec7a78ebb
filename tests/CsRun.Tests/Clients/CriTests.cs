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

    (string Id, PodSandboxConfig Config) RunPod(string name, bool podNetwork = false)
    {
        var config = CriPods.Pod(Cri, name, podNetwork);
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
    public void A_shared_process_namespace_shows_the_pause_process_as_pid_1()
    {
        var pod = RunPod(NewName("sharedpid"));
        var config = CriPods.Container("main", "sleep", "1000");
        config.Linux.SecurityContext.NamespaceOptions.Pid = NamespaceMode.Pod;
        string id = StartContainer(pod, config);
        // shareProcessNamespace: csrun joins the sandbox's PID namespace by path.
        Exec(id, "cat", "/proc/1/cmdline").Stdout.ToStringUtf8().Should().Be("/pause\0");
        Exec(id, "sh", "-c", "ps -o pid,user,args").Stdout.ToStringUtf8().Should().Contain("sleep 1000");
        RemovePod(pod.Id);
    }

    [CriFact]
    public void Security_context_and_host_path_volumes()
    {
        var pod = RunPod(NewName("secctx"));
        string data = Directory.CreateDirectory(Path.Combine(_fixture.Dir, NewName("data"))).FullName;
        string conf = Directory.CreateDirectory(Path.Combine(_fixture.Dir, NewName("conf"))).FullName;
        File.WriteAllText(Path.Combine(conf, "setting"), "42\n");
        // A volume the pod's user 1000 can write, as an fsGroup or an init container would arrange.
        File.SetUnixFileMode(data, (UnixFileMode)0x1ff);

        var config = CriPods.Container("main", "sleep", "1000");
        var sc = config.Linux.SecurityContext;
        sc.RunAsUser = new Int64Value { Value = 1000 };
        sc.ReadonlyRootfs = true;
        sc.Capabilities = new Capability { DropCapabilities = { "ALL" } };
        config.Mounts.Add(new Mount { ContainerPath = "/data", HostPath = data });
        config.Mounts.Add(new Mount { ContainerPath = "/config", HostPath = conf, Readonly = true });
        string id = StartContainer(pod, config);

        Exec(id, "id", "-u").Stdout.ToStringUtf8().Should().Be("1000\n");
        Exec(id, "grep", "^CapEff", "/proc/self/status").Stdout.ToStringUtf8().Should().Contain("0000000000000000");
        Exec(id, "touch", "/rootfs-is-read-only").ExitCode.Should().NotBe(0);
        Exec(id, "cat", "/config/setting").Stdout.ToStringUtf8().Should().Be("42\n");
        Exec(id, "touch", "/config/x").ExitCode.Should().NotBe(0, "the volume is read-only");
        var w = Exec(id, "sh", "-c", "echo written > /data/out");
        w.ExitCode.Should().Be(0, w.Stderr.ToStringUtf8());
        File.ReadAllText(Path.Combine(data, "out")).Should().Be("written\n");
        RemovePod(pod.Id);
    }

    [CriFact]
    public void Containers_of_a_pod_share_its_cni_network_and_loopback()
    {
        var pod = RunPod(NewName("net"), podNetwork: true);
        string ip = Rt.PodSandboxStatus(new PodSandboxIdRequest { PodSandboxId = pod.Id }).Status.Network.Ip;
        ip.Should().StartWith(CriContainerd.PodSubnet[..^5], "the bridge plugin's host-local range");

        // csrun joins the sandbox's network namespace by path for each container.
        string server = StartContainer(pod, CriPods.Container("server", true, "sh", "-c", "while :; do echo pong | nc -l -p 8080; done"));
        string client = StartContainer(pod, CriPods.Container("client", true, "sleep", "1000"));
        Exec(client, "ip", "-o", "-4", "addr", "show", "eth0").Stdout.ToStringUtf8().Should().Contain($" {ip}/24 ");
        Exec(client, "ip", "-o", "link", "show", "lo").Stdout.ToStringUtf8().Should().Contain(",UP");
        Exec(client, "cat", "/proc/sys/kernel/hostname").Stdout.ToStringUtf8().Should().Be(pod.Config.Hostname + "\n");

        // Over the pod's loopback only: the server container listens, the other one connects.
        string reply = "";
        LifecycleTests.WaitFor(() => (reply = Exec(client, "sh", "-c", "echo ping | nc -w 2 127.0.0.1 8080").Stdout.ToStringUtf8()) == "pong\n");
        reply.Should().Be("pong\n");
        Exec(server, "hostname").Stdout.ToStringUtf8().Should().Be(pod.Config.Hostname + "\n");
        RemovePod(pod.Id);
    }

    [CriFact]
    public void A_privileged_container_with_a_Bidirectional_volume_shares_mounts_both_ways()
    {
        // Bidirectional needs a shared mount on the host (the CRI checks): the volume is one of its own.
        string vol = Directory.CreateDirectory(Path.Combine(_fixture.Dir, NewName("vol"))).FullName;
        Mount("--bind", vol, vol).ExitCode.Should().Be(0);
        try
        {
            Mount("--make-shared", vol).ExitCode.Should().Be(0);
            var podConfig = CriPods.Pod(Cri, NewName("bidir"));
            podConfig.Linux.SecurityContext.Privileged = true;
            string podId = Rt.RunPodSandbox(new RunPodSandboxRequest { Config = podConfig, RuntimeHandler = CriContainerd.Handler }).PodSandboxId;

            var config = CriPods.Container("csi", "sleep", "1000");
            config.Linux.SecurityContext.Privileged = true;
            config.Mounts.Add(new Mount { ContainerPath = "/vol", HostPath = vol, Propagation = MountPropagation.PropagationBidirectional });
            string id = StartContainer((podId, podConfig), config);
            Exec(id, "grep", "^CapEff", "/proc/self/status").Stdout.ToStringUtf8().Split(':')[1].Trim()
                .Should().Be(File.ReadAllLines("/proc/self/status").First(l => l.StartsWith("CapBnd")).Split(':')[1].Trim());

            // What a CSI node plugin does: mount inside the volume, and the node sees it.
            var r = Exec(id, "sh", "-c", "mkdir /vol/from-pod && mount -t tmpfs -o size=1m csrun-bidir /vol/from-pod");
            r.ExitCode.Should().Be(0, r.Stderr.ToStringUtf8());
            HostCleanup.MountsUnder(vol).Should().Contain(Path.Combine(vol, "from-pod"), "Bidirectional: rshared reaches the host");
            // And the node's mounts in the volume reach the container.
            Directory.CreateDirectory(Path.Combine(vol, "from-node"));
            Mount("-t", "tmpfs", "-o", "size=1m", "csrun-node", Path.Combine(vol, "from-node")).ExitCode.Should().Be(0);
            Exec(id, "grep", " /vol/from-node ", "/proc/self/mountinfo").ExitCode.Should().Be(0);

            Exec(id, "umount", "/vol/from-pod").ExitCode.Should().Be(0);
            HostCleanup.MountsUnder(Path.Combine(vol, "from-pod")).Should().BeEmpty();
            RemovePod(podId);
        }
        finally
        {
            HostCleanup.UnmountUnder(vol);
        }
    }

    static CliResult Mount(params string[] args) => CsrunCli.RunProgram("mount", args);

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

    [CriFact]
    public void Pod_sysctls_supplemental_groups_and_a_tty_container()
    {
        var podConfig = CriPods.Pod(Cri, NewName("sysctl"), podNetwork: true);
        // Two of kubelet's safe sysctls: one namespaced by IPC, one by the pod's network.
        podConfig.Linux.Sysctls["kernel.shm_rmid_forced"] = "1";
        podConfig.Linux.Sysctls["net.ipv4.ip_unprivileged_port_start"] = "80";
        string podId = Rt.RunPodSandbox(new RunPodSandboxRequest { Config = podConfig, RuntimeHandler = CriContainerd.Handler }).PodSandboxId;

        var config = CriPods.Container("term", true, "sh", "-c", "tty; while :; do sleep 1; done");
        config.Tty = true;
        config.Stdin = true;
        config.Linux.SecurityContext.RunAsUser = new Int64Value { Value = 1000 };
        config.Linux.SecurityContext.SupplementalGroups.Add(3000);
        string id = StartContainer((podId, podConfig), config);

        Exec(id, "cat", "/proc/sys/kernel/shm_rmid_forced").Stdout.ToStringUtf8().Should().Be("1\n");
        Exec(id, "cat", "/proc/sys/net/ipv4/ip_unprivileged_port_start").Stdout.ToStringUtf8().Should().Be("80\n");
        Exec(id, "id", "-G").Stdout.ToStringUtf8().Split(' ', StringSplitOptions.TrimEntries).Should().Contain("3000");
        // A tty container: csrun hands the pty to the shim through the console socket; its output is logged.
        string log = Path.Combine(podConfig.LogDirectory, "term", "0.log");
        LifecycleTests.WaitFor(() => File.Exists(log) && File.ReadAllText(log).Contains(" stdout F /dev/pts/0"));
        RemovePod(podId);
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
