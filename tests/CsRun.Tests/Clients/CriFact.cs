using Xunit;

namespace CsRun.Tests.Clients;

/// <summary>
/// A test of csrun under Kubernetes' CRI: containerd's CRI plugin, the runc v2 shim, clang for the
/// pause image, the CNI bridge and host-local plugins for the pod network.
/// </summary>
public sealed class CriFactAttribute : FactAttribute
{
    public CriFactAttribute() => Skip = ClientTools.SkipUnlessInstalled("containerd", "ctr", "containerd-shim-runc-v2", "clang")
        ?? (File.Exists("/usr/lib/cni/bridge") && File.Exists("/usr/lib/cni/host-local") ? null
            : "containernetworking-plugins not installed (./build.sh deps installs it)");
}
