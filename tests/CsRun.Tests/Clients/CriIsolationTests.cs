using CsRun.Tests.Clients.Cri;
using CsRun.Tests.Integration;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Clients;

/// <summary>
/// A pod's namespaces and security through the CRI and csrun: the pod network and the sandbox's
/// namespaces joined by path, securityContext, volumes (also Bidirectional), seccomp, sysctls.
/// </summary>
[Collection(ClientsCollection.Name)]
public sealed class CriIsolationTests : CriTestBase
{
    public CriIsolationTests(ClientsFixture fixture) : base(fixture) { }

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
}
