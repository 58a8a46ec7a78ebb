using CsRun.Spec;

namespace CsRun.Container;

/// <summary>The state object hooks receive on stdin.</summary>
internal static class Hooks
{
    public static HookState State(string id, string bundle, Config config, int pid, string status) => new()
    {
        OciVersion = config.OciVersion, Id = id, Status = status, Pid = pid > 0 ? pid : null,
        Bundle = bundle, Annotations = config.Annotations,
    };

    public static HookState State(ContainerState s, string status) =>
        State(s.Id, s.Bundle, s.Config, status == ContainerStatus.Stopped ? 0 : s.InitPid, status);
}
