using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Integration;

/// <summary>
/// A new network namespace gets `lo` up, as runc does: without it a service cannot reach
/// 127.0.0.1, nor can a sidecar that joins the namespace by path (`ctr run --with-ns network:…`).
/// </summary>
public class LoopbackTests
{
    [Fact]
    public void Lo_is_up_in_a_new_network_namespace()
    {
        using var b = new Bundle("cat", "/sys/class/net/lo/flags");
        var r = b.Run();
        r.ExitCode.Should().Be(0, r.ToString());
        (Convert.ToInt32(r.Stdout.Trim(), 16) & 1).Should().Be(1, $"IFF_UP in {r.Stdout.Trim()}");
    }

    [Fact]
    public void A_container_joining_the_network_namespace_by_path_reaches_a_listener_on_127_0_0_1()
    {
        using var server = new Bundle("nc", "-l", "-p", "5555");
        File.CreateSymbolicLink(Path.Combine(server.Rootfs, "bin", "nc"), "busybox");
        var id = server.NewId();
        string output = Path.Combine(server.Dir, "received");
        server.Save();
        // run -d: the listener's stdout is csrun's, a file here.
        var started = CsrunCli.RunProgram("/bin/sh", new[] { "-c", $"exec \"$0\" --root {server.StateRoot} run -d -b {server.Dir} {id} > {output}", TestHost.Csrun });
        started.ExitCode.Should().Be(0, started.ToString());
        int pid = int.Parse(System.Text.Json.JsonDocument.Parse(server.Csrun("state", id).Stdout).RootElement.GetProperty("pid").GetRawText());

        using var client = new Bundle("sh", "-c", "for i in 1 2 3 4 5 6 7 8 9 10; do echo hello-over-lo | nc 127.0.0.1 5555 && exit 0; sleep 0.2; done; exit 1");
        File.CreateSymbolicLink(Path.Combine(client.Rootfs, "bin", "nc"), "busybox");
        client.Config.Linux!.Namespaces!.RemoveAll(n => n.Type == "network");
        client.Config.Linux.Namespaces.Add(new() { Type = "network", Path = $"/proc/{pid}/ns/net" });
        var r = client.Run();
        r.ExitCode.Should().Be(0, r.ToString());
        LifecycleTests.WaitFor(() => File.ReadAllText(output).Contains("hello-over-lo"));
    }
}
