using Xunit;

namespace CsRun.Tests.Clients;

/// <summary>A test of csrun under Kubernetes' CRI: containerd's CRI plugin, the runc v2 shim, clang for the pause image.</summary>
public sealed class CriFactAttribute : FactAttribute
{
    public CriFactAttribute() => Skip = ClientTools.SkipUnlessInstalled("containerd", "ctr", "containerd-shim-runc-v2", "clang");
}
