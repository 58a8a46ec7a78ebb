using Xunit;

namespace CsRun.Tests.Clients;

/// <summary>Skips a container manager's tests when its programs are missing (`./build.sh deps` installs them).</summary>
internal static class ClientTools
{
    public static string? SkipUnlessInstalled(params string[] programs)
    {
        var missing = programs.Where(p => !OnPath(p)).ToList();
        return missing.Count == 0 ? null : $"{string.Join(", ", missing)} not installed (./build.sh deps installs it)";
    }

    static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/sbin:/usr/bin:/sbin:/bin").Split(':')
            .Any(d => d.Length > 0 && File.Exists(Path.Combine(d, program)));
}

/// <summary>A test of csrun under podman (conmon runs csrun; unshare isolates the image load).</summary>
public sealed class PodmanFactAttribute : FactAttribute
{
    public PodmanFactAttribute() => Skip = ClientTools.SkipUnlessInstalled("podman", "conmon", "unshare");
}

/// <summary>A test of csrun under containerd (a private daemon, ctr, the runc v2 shim).</summary>
public sealed class ContainerdFactAttribute : FactAttribute
{
    public ContainerdFactAttribute() => Skip = ClientTools.SkipUnlessInstalled("containerd", "ctr", "containerd-shim-runc-v2");
}

/// <summary>A test of csrun under docker (a private dockerd from Debian's docker.io, its own containerd and shims).</summary>
public sealed class DockerTheoryAttribute : TheoryAttribute
{
    public DockerTheoryAttribute() => Skip = ClientTools.SkipUnlessInstalled("dockerd", "docker", "containerd", "containerd-shim-runc-v2");
}
