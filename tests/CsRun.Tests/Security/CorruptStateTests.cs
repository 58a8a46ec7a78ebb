using System.Text.Json;
using CsRun.Tests.Integration;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Security;

/// <summary>
/// A live container whose state.json is corrupt (truncated, emptied, garbage) must not vanish
/// from view with its init and cgroups left running: `list` shows it, `state` says clearly what
/// is wrong, and `delete --force` still finds and removes everything (through create.journal).
/// runc 1.1.5 leaves such a container out of `list` and its `delete --force` fails, leaving all.
/// </summary>
public class CorruptStateTests
{
    /// <summary>A created container whose state.json is then cut to <paramref name="keep"/> bytes (or replaced).</summary>
    static (string Id, int Pid, string File) CreateCorrupt(Bundle b, int keep, string? replace = null, bool pause = false)
    {
        var id = b.NewId("corrupt");
        var c = b.Csrun("create", "-b", b.Dir, id);
        c.ExitCode.Should().Be(0, c.ToString());
        int pid = JsonDocument.Parse(b.Csrun("state", id).Stdout).RootElement.GetProperty("pid").GetInt32();
        if (pause) b.Csrun("pause", id).ExitCode.Should().Be(0);
        string file = Path.Combine(b.StateRoot, id, "state.json");
        if (replace != null) File.WriteAllText(file, replace);
        else
        {
            using var f = new FileStream(file, FileMode.Open);
            f.SetLength(keep);
        }
        return (id, pid, file);
    }

    static void AssertGone(Bundle b, string id, int pid)
    {
        TestHost.Reap(pid);
        File.Exists($"/proc/{pid}/stat").Should().BeFalse("the init {0} must be killed", pid);
        Leftovers.AssertNone(b, id);
    }

    static void AssertClean(CliResult r)
    {
        (r.Stdout + r.Stderr).Should().NotContain("Exception").And.NotContain("System.").And.NotContain(" at CsRun");
    }

    [Fact]
    public void List_shows_a_container_with_a_corrupt_state_and_names_the_file()
    {
        using var b = new Bundle("sleep", "100");
        var (id, pid, file) = CreateCorrupt(b, 20);

        var table = b.Csrun("list");
        table.ExitCode.Should().Be(0, table.ToString());
        table.Stdout.Split('\n').Should().Contain(l => l.StartsWith(id + " ") && l.Contains(" unknown ") && l.Contains($" {pid} "));
        table.Stderr.Should().Contain(file).And.Contain("corrupt state").And.Contain("unexpected end of file");
        AssertClean(table);

        var json = b.Csrun("list", "--format", "json");
        json.ExitCode.Should().Be(0, json.ToString());
        var row = JsonDocument.Parse(json.Stdout).RootElement.EnumerateArray().Single(e => e.GetProperty("id").GetString() == id);
        row.GetProperty("status").GetString().Should().Be("unknown");
        row.GetProperty("pid").GetInt32().Should().Be(pid);

        b.Csrun("list", "-q").Stdout.Split('\n').Should().Contain(id);

        var d = b.Csrun("delete", "--force", id);
        d.ExitCode.Should().Be(0, d.ToString());
        AssertGone(b, id, pid);
    }

    [Fact]
    public void State_of_a_corrupt_state_file_is_a_clear_error_also_in_the_log()
    {
        using var b = new Bundle("sleep", "100");
        var (id, pid, file) = CreateCorrupt(b, 0, replace: "{\"id\": 7");
        string log = Path.Combine(b.Dir, "csrun.log");
        var r = CsrunCli.Run(new[] { "--root", b.StateRoot, "--log", log, "--log-format", "json", "state", id });
        r.ExitCode.Should().Be(1, r.ToString());
        r.Stderr.Should().Contain(file).And.Contain("corrupt state");
        AssertClean(r);
        File.ReadAllText(log).Should().Contain("\"level\":\"error\"").And.Contain("corrupt state");

        // Without --force delete refuses, naming the file; nothing is touched.
        var d = b.Csrun("delete", id);
        d.ExitCode.Should().Be(1, d.ToString());
        d.Stderr.Should().Contain(file);
        File.Exists($"/proc/{pid}/stat").Should().BeTrue();

        b.Csrun("delete", "--force", id).ExitCode.Should().Be(0);
        AssertGone(b, id, pid);
    }

    [Theory]
    [InlineData(0, null)]
    [InlineData(20, null)]
    [InlineData(0, "not json at all")]
    [InlineData(0, "{\"id\":\"x\",\"initPid\":\"twelve\"}")]
    public void Delete_force_of_a_corrupt_state_kills_the_init_and_removes_the_cgroups(int keep, string? replace)
    {
        using var b = new Bundle("sleep", "100");
        var (id, pid, _) = CreateCorrupt(b, keep, replace);
        Leftovers.CgroupDirs(id).Should().NotBeEmpty();
        var d = b.Csrun("delete", "--force", id);
        d.ExitCode.Should().Be(0, d.ToString());
        AssertClean(d);
        AssertGone(b, id, pid);
    }

    [Fact]
    public void Delete_force_of_a_paused_container_with_a_corrupt_state_thaws_and_kills_it()
    {
        if (!Directory.Exists("/sys/fs/cgroup/freezer") && !File.Exists("/sys/fs/cgroup/cgroup.freeze")) return;
        using var b = new Bundle("sleep", "100");
        var (id, pid, _) = CreateCorrupt(b, 20, pause: true);
        var d = b.Csrun("delete", "--force", id);
        d.ExitCode.Should().Be(0, d.ToString());
        AssertGone(b, id, pid);
    }
}
