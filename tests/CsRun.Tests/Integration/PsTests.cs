using System.Text.Json;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Integration;

/// <summary>`csrun ps`: containerd's `task ps` reads the JSON form; people read the table.</summary>
public class PsTests
{
    [Fact]
    public void Ps_lists_the_container_pids_as_json_and_as_a_ps_table()
    {
        using var b = new Bundle("sh", "-c", "sleep 100 & wait");
        var id = b.NewId();
        b.Csrun("run", "-d", "-b", b.Dir, id).ExitCode.Should().Be(0);
        int init = JsonDocument.Parse(b.Csrun("state", id).Stdout).RootElement.GetProperty("pid").GetInt32();
        List<int> pids = new();
        LifecycleTests.WaitFor(() =>
        {
            var r = b.Csrun("ps", "--format", "json", id);
            r.ExitCode.Should().Be(0, r.ToString());
            pids = JsonSerializer.Deserialize<List<int>>(r.Stdout)!;
            return pids.Count == 2;
        });
        pids.Should().Contain(init);

        var table = b.Csrun("ps", id).Stdout.TrimEnd('\n').Split('\n');
        table[0].Should().Contain("PID").And.Contain("CMD");
        table.Skip(1).Should().HaveCount(2).And.Contain(l => l.Contains("sleep 100"));

        var custom = b.Csrun("ps", id, "-o", "pid,comm").Stdout.TrimEnd('\n').Split('\n');
        custom[0].Trim().Should().Be("PID COMMAND");
        custom.Skip(1).Select(l => int.Parse(l.Trim().Split(' ')[0])).Should().BeEquivalentTo(pids);

        b.Csrun("ps", "-f", "xml", id).Stderr.Should().Contain("invalid format option");
        b.Csrun("delete", "-f", id).ExitCode.Should().Be(0);
        TestHost.Reap(init);
    }

}
