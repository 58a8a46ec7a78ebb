using System.Formats.Tar;
using CsRun.Tests.Integration;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Clients;

/// <summary>
/// Rootless podman 4.3 with `--runtime out/csrun`, as a user made for the test: its own storage
/// in the user's home (vfs), cgroupfs, no network. podman runs csrun inside its user namespace
/// (root there, mapped from /etc/subuid), where csrun binds the device nodes instead of mknod and
/// leaves out the cgroups the user does not own. The user, its home and its subid lines go after.
/// </summary>
public sealed class RootlessPodmanTests
{
    [RootlessPodmanFact]
    public void Rootless_podman_runs_execs_stops_and_removes_a_container_through_csrun()
    {
        string name;
        using (var u = new RootlessUser())
        {
            name = u.Name;
            string archive = Path.Combine(u.Dir, "rootfs.tar");
            using (var b = new Bundle()) TarFile.CreateFromDirectory(b.Rootfs, archive, includeBaseDirectory: false);
            File.SetUnixFileMode(archive, (UnixFileMode)0x1a4);
            CliResult P(params string[] args) => u.As("/usr/bin/podman",
                new[] { "--storage-driver", "vfs", "--cgroup-manager", "cgroupfs", "--events-backend", "file", "--runtime", TestHost.Csrun }.Concat(args).ToArray());
            string Ok(params string[] args)
            {
                var r = P(args);
                r.ExitCode.Should().Be(0, $"podman {string.Join(" ", args)}: {r}");
                return r.Stdout;
            }

            Ok("import", archive, "localhost/csrun-rootless");
            Ok("run", "--rm", "--network", "none", "localhost/csrun-rootless", "echo", "hi").Should().Be("hi\n");
            Ok("run", "-d", "--name", "c1", "--network", "none", "localhost/csrun-rootless", "sleep", "100");
            Ok("inspect", "--format", "{{.State.Status}}", "c1").Trim().Should().Be("running");
            Ok("exec", "c1", "id").Trim().Should().Be("uid=0(root) gid=0(root)");
            // podman's top reads the container's processes through csrun ps.
            Ok("top", "c1").Should().Contain("sleep 100");
            Ok("stop", "-t", "1", "c1");
            Ok("inspect", "--format", "{{.State.Status}}", "c1").Trim().Should().Be("exited");
            Ok("rm", "c1");
            Ok("ps", "-a", "-q").Should().BeEmpty();

            HostCleanup.CsrunStateDirs(Path.Combine(u.RuntimeDir, "csrun")).Should().BeEmpty("csrun delete removed its state");
            LifecycleTests.WaitFor(() => u.Processes().All(p => !File.ReadAllText($"/proc/{p}/cmdline").StartsWith("sleep")));
            File.ReadAllText("/proc/self/mountinfo").Should().NotContain(u.Dir, "no mount may stay behind");
        }
        RootlessUser.AssertGone(name);
    }
}

/// <summary>Rootless podman: podman, conmon and catatonit (its pause process), and what a created user needs.</summary>
public sealed class RootlessPodmanFactAttribute : FactAttribute
{
    public RootlessPodmanFactAttribute() => Skip = RootlessUser.SkipUnlessTools() ?? ClientTools.SkipUnlessInstalled("podman", "conmon", "catatonit");
}
