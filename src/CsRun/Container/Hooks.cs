using CsRun.Spec;

namespace CsRun.Container;

/// <summary>The state object hooks receive on stdin.</summary>
internal static class Hooks
{
    public static HookState State(string id, string bundle, Config config, int pid, string status) =>
        State(id, bundle, config.OciVersion, config.Annotations, pid, status);

    public static HookState State(ContainerState s, string status) =>
        State(s.Id, s.Bundle, s.Summary.OciVersion, s.Summary.Annotations, status == ContainerStatus.Stopped ? 0 : s.InitPid, status);

    static HookState State(string id, string bundle, string ociVersion, Dictionary<string, string>? annotations, int pid, string status) => new()
    {
        OciVersion = ociVersion, Id = id, Status = status, Pid = pid > 0 ? pid : null,
        Bundle = bundle, Annotations = annotations,
    };
}
