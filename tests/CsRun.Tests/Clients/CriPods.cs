using CsRun.Tests.Clients.Cri;

namespace CsRun.Tests.Clients;

/// <summary>The pod and container configs kubelet would send for a small busybox pod on the node's network.</summary>
internal static class CriPods
{
    /// <summary>
    /// kubelet's defaults: a pod IPC namespace, a PID namespace per container, and the node's network
    /// (hostNetwork) or the pod's own, which the CRI sets up through CNI.
    /// </summary>
    static NamespaceOption Namespaces(bool podNetwork) =>
        new() { Network = podNetwork ? NamespaceMode.Pod : NamespaceMode.Node, Ipc = NamespaceMode.Pod, Pid = NamespaceMode.Container };

    public static PodSandboxConfig Pod(CriContainerd cri, string name, bool podNetwork = false)
    {
        string uid = Guid.NewGuid().ToString();
        string logs = Path.Combine(cri.LogDir, $"default_{name}_{uid}");
        Directory.CreateDirectory(logs);
        return new PodSandboxConfig
        {
            Metadata = new PodSandboxMetadata { Name = name, Uid = uid, Namespace = "default" },
            Hostname = podNetwork ? name : "",
            LogDirectory = logs,
            Labels = { ["csrun-test"] = name },
            Linux = new LinuxPodSandboxConfig
            {
                CgroupParent = cri.CgroupParent,
                SecurityContext = new LinuxSandboxSecurityContext { NamespaceOptions = Namespaces(podNetwork) },
            },
        };
    }

    /// <summary>A busybox container running <paramref name="command"/>, logging to &lt;name&gt;/0.log in the pod's log directory.</summary>
    public static ContainerConfig Container(string name, params string[] command) => Container(name, false, command);

    public static ContainerConfig Container(string name, bool podNetwork, params string[] command)
    {
        var c = new ContainerConfig
        {
            Metadata = new ContainerMetadata { Name = name },
            Image = new ImageSpec { Image = OciImage.Name },
            LogPath = Path.Combine(name, "0.log"),
            Linux = new LinuxContainerConfig
            {
                Resources = new LinuxContainerResources(),
                SecurityContext = new LinuxContainerSecurityContext { NamespaceOptions = Namespaces(podNetwork) },
            },
        };
        c.Command.AddRange(command);
        return c;
    }
}
