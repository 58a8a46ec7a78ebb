using System.Text.Json;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Integration;

/// <summary>
/// A container that joins a network (and IPC, UTS) namespace by path, as podman's do, and
/// makes its other namespaces is cloned once into them and joins right after: no plain clone,
/// no fork of the init into the pid namespace. It ends up in the joined namespaces, as pid 1 of
/// its own pid namespace, in its cgroup.
/// </summary>
public class JoinedNamespaceFastPathTests
{
    [Fact]
    public void Joining_network_ipc_and_uts_keeps_the_one_clone_path()
    {
        using var b1 = new Bundle("sleep", "100");
        b1.Config.Hostname = "joined-uts";
        var first = b1.NewId();
        b1.Csrun("run", "-d", "-b", b1.Dir, first).ExitCode.Should().Be(0);
        int pid = JsonDocument.Parse(b1.Csrun("state", first).Stdout).RootElement.GetProperty("pid").GetInt32();

        using var b2 = new Bundle("sh", "-c", "hostname; readlink /proc/self/ns/net; readlink /proc/self/ns/ipc; echo $$; cat /proc/self/cgroup");
        b2.Config.Hostname = null;
        // Without a cgroup namespace /proc/self/cgroup names the container's cgroup.
        b2.Config.Linux!.Namespaces!.RemoveAll(n => n.Type == "cgroup");
        foreach (var (type, file) in new[] { ("network", "net"), ("ipc", "ipc"), ("uts", "uts") })
            b2.Config.Linux!.Namespaces!.First(n => n.Type == type).Path = $"/proc/{pid}/ns/{file}";
        string log = Path.Combine(b2.Dir, "debug.log");
        string id = b2.NewId();
        var r = b2.Csrun("--debug", "--log", log, "run", "-b", b2.Dir, id);
        r.ExitCode.Should().Be(0, r.ToString());
        var lines = r.Stdout.Split('\n');
        lines[0].Should().Be("joined-uts");
        lines[1].Should().Be(new FileInfo($"/proc/{pid}/ns/net").LinkTarget);
        lines[2].Should().Be(new FileInfo($"/proc/{pid}/ns/ipc").LinkTarget);
        lines[3].Should().Be("1", "the init is pid 1 of its new pid namespace");
        r.Stdout.Should().Contain(id, "the init is in its own cgroup");

        string program = File.ReadAllText(log);
        program.Should().Contain("join network namespace").And.Contain("join ipc namespace").And.Contain("join uts namespace");
        program.Should().NotContain("fork the init into the pid namespace", "the clone made the pid namespace");
        program.Should().NotContain("unshare mount", "the clone made the other namespaces");
    }
}
