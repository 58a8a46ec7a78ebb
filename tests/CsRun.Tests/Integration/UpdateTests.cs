using System.Text.Json;
using CsRun.Container;
using CsRun.Spec;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Integration;

/// <summary>`csrun update`: podman update passes `-r FILE`, containerd's shim `-r -` on stdin, people use the flags.</summary>
public class UpdateTests
{
    /// <summary>A cgroup file of the container: the v1 controller's, else the unified one.</summary>
    static string Read(string id, string v1Controller, string v1File, string v2File)
    {
        var dirs = Leftovers.CgroupDirs(id);
        var v1 = dirs.FirstOrDefault(d => d.StartsWith($"/sys/fs/cgroup/{v1Controller}/"));
        return File.ReadAllText(v1 != null ? Path.Combine(v1, v1File) : Path.Combine(dirs.First(), v2File)).Trim();
    }

    static string MemoryLimit(string id) => Read(id, "memory", "memory.limit_in_bytes", "memory.max");
    static string PidsMax(string id) => Read(id, "pids", "pids.max", "pids.max");

    /// <summary>Device rules are set at create only: resent unchanged (containerd's CRI sends the
    /// whole linux.resources with every update) they are fine, changed they are an error, not a
    /// silent no-op as in runc; /dev/null stays writable throughout (no deny-all moment).</summary>
    [Fact]
    public void Unchanged_devices_pass_and_changed_devices_are_an_error()
    {
        var rules = new List<DeviceRule>
        {
            new() { Allow = false, Access = "rwm" },
            new() { Allow = true, Type = "c", Major = 1, Minor = 3, Access = "rwm" },
        };
        using var b = new Bundle("sh", "-c", "while :; do echo > /dev/null || echo lost >> /tmp/lost; done");
        b.Config.Root!.Readonly = false;
        b.Config.Linux!.Resources = new Resources { Devices = rules, Pids = new PidsResources { Limit = 100 } };
        var id = b.NewId();
        b.Csrun("run", "-d", "-b", b.Dir, id).ExitCode.Should().Be(0);
        int pid = JsonDocument.Parse(b.Csrun("state", id).Stdout).RootElement.GetProperty("pid").GetInt32();
        try
        {
            string file = Path.Combine(b.Dir, "resources.json");
            const string same = """{"devices":[{"allow":false,"access":"rwm"},{"allow":true,"type":"c","major":1,"minor":3,"access":"rwm"}],"pids":{"limit":50}}""";
            File.WriteAllText(file, same);
            for (int i = 0; i < 5; i++)
            {
                var ok = b.Csrun("update", "-r", file, id);
                ok.ExitCode.Should().Be(0, ok.ToString());
            }
            PidsMax(id).Should().Be("50");

            File.WriteAllText(file, """{"devices":[{"allow":true,"access":"rwm"}],"pids":{"limit":60}}""");
            var changed = b.Csrun("update", "-r", file, id);
            changed.ExitCode.Should().Be(1);
            changed.Stderr.Should().Contain("linux.resources.devices: cannot be changed by update (set at create only)");
            PidsMax(id).Should().Be("50", "a refused update changes nothing");
            File.Exists(Path.Combine(b.Rootfs, "tmp", "lost")).Should().BeFalse("the container never lost /dev/null");
        }
        finally
        {
            b.Csrun("delete", "-f", id);
            TestHost.Reap(pid);
        }
    }

    [Fact]
    public void Update_changes_the_limits_of_a_running_container_from_flags_a_file_or_stdin()
    {
        using var b = new Bundle("sleep", "100");
        b.Config.Linux!.Resources = new Resources { Memory = new MemoryResources { Limit = 128 << 20 }, Pids = new PidsResources { Limit = 100 } };
        var id = b.NewId();
        b.Csrun("run", "-d", "-b", b.Dir, id).ExitCode.Should().Be(0);
        int pid = JsonDocument.Parse(b.Csrun("state", id).Stdout).RootElement.GetProperty("pid").GetInt32();
        MemoryLimit(id).Should().Be((128 << 20).ToString());

        var r = b.Csrun("update", "--memory", "64m", "--pids-limit", "30", id);
        r.ExitCode.Should().Be(0, r.ToString());
        MemoryLimit(id).Should().Be((64 << 20).ToString());
        PidsMax(id).Should().Be("30");

        string file = Path.Combine(b.Dir, "resources.json");
        File.WriteAllText(file, """{"memory":{"limit":33554432}}""");
        b.Csrun("update", "-r", file, id).ExitCode.Should().Be(0);
        MemoryLimit(id).Should().Be("33554432");
        PidsMax(id).Should().Be("30", "a field left out keeps its value");

        r = CsrunCli.Run(new[] { "--root", b.StateRoot, "update", "--resources", "-", id }, stdin: """{"pids":{"limit":40}}""");
        r.ExitCode.Should().Be(0, r.ToString());
        PidsMax(id).Should().Be("40");

        var state = JsonDocument.Parse(File.ReadAllText(Path.Combine(b.StateRoot, id, "state.json"))).RootElement;
        var saved = state.GetProperty("config").GetProperty("linux").GetProperty("resources");
        saved.GetProperty("memory").GetProperty("limit").GetInt64().Should().Be(33554432);
        saved.GetProperty("pids").GetProperty("limit").GetInt64().Should().Be(40);

        b.Csrun("update", "--memory", "12x", id).Stderr.Should().Contain("invalid value for memory: invalid size: '12x'");
        b.Csrun("kill", id, "KILL").ExitCode.Should().Be(0);
        LifecycleTests.WaitFor(() => b.Csrun("state", id).Stdout.Contains("stopped"));
        b.Csrun("update", "--memory", "64m", id).Stderr.Should().Contain("container not running");
        TestHost.Reap(pid);
        b.Csrun("update", "--memory", "64m", "nope-" + Guid.NewGuid().ToString("N")[..8]).Stderr.Should().Contain("container does not exist");
    }

}
