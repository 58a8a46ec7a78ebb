using CsRun.Tests.Clients.Cri;

namespace CsRun.Tests.Clients;

/// <summary>The pod and container configs kubelet would send for a small busybox pod on the node's network.</summary>
internal static class CriPods
{
    /// <summary>kubelet's defaults for a pod with hostNetwork: the node's network, a pod IPC namespace, a PID namespace per container.</summary>
    static NamespaceOption Namespaces() => new() { Network = NamespaceMode.Node, Ipc = NamespaceMode.Pod, Pid = NamespaceMode.Container };

    public static PodSandboxConfig Pod(CriContainerd cri, string name)
    {
        string uid = Guid.NewGuid().ToString();
        string logs = Path.Combine(cri.LogDir, $"default_{name}_{uid}");
        Directory.CreateDirectory(logs);
        return new PodSandboxConfig
        {
            Metadata = new PodSandboxMetadata { Name = name, Uid = uid, Namespace = "default" },
            LogDirectory = logs,
            Labels = { ["csrun-test"] = name },
            Linux = new LinuxPodSandboxConfig
            {
                CgroupParent = cri.CgroupParent,
                SecurityContext = new LinuxSandboxSecurityContext { NamespaceOptions = Namespaces() },
            },
        };
    }

    /// <summary>A busybox container running <paramref name="command"/>, logging to &lt;name&gt;/0.log in the pod's log directory.</summary>
    public static ContainerConfig Container(string name, params string[] command)
    {
        var c = new ContainerConfig
        {
            Metadata = new ContainerMetadata { Name = name },
            Image = new ImageSpec { Image = OciImage.Name },
            LogPath = Path.Combine(name, "0.log"),
            Linux = new LinuxContainerConfig
            {
                Resources = new LinuxContainerResources(),
                SecurityContext = new LinuxContainerSecurityContext { NamespaceOptions = Namespaces() },
            },
        };
        c.Command.AddRange(command);
        return c;
    }
}
