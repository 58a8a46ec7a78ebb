using System.Text.Json;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Integration;

/// <summary>pause/resume as containerd (`ctr task pause`) and podman (`pause`, `unpause`) call them.</summary>
public class PauseResumeTests
{
    static string Status(Bundle b, string id) =>
        JsonDocument.Parse(b.Csrun("state", id).Stdout).RootElement.GetProperty("status").GetString()!;

    /// <summary>The v1 freezer's state, or cgroup v2's cgroup.freeze in the same words.</summary>
    static string FreezerState(string id)
    {
        var dirs = Leftovers.CgroupDirs(id);
        var v1 = dirs.FirstOrDefault(d => d.StartsWith("/sys/fs/cgroup/freezer/"));
        if (v1 != null) return File.ReadAllText(Path.Combine(v1, "freezer.state")).Trim();
        return File.ReadAllText(Path.Combine(dirs.First(), "cgroup.freeze")).Trim() == "1" ? "FROZEN" : "THAWED";
    }

    [Fact]
    public void Pause_freezes_the_container_and_resume_thaws_it()
    {
        using var b = new Bundle("sleep", "100");
        var id = b.NewId();
        b.Csrun("run", "-d", "-b", b.Dir, id).ExitCode.Should().Be(0);
        int pid = JsonDocument.Parse(b.Csrun("state", id).Stdout).RootElement.GetProperty("pid").GetInt32();

        var r = b.Csrun("pause", id);
        r.ExitCode.Should().Be(0, r.ToString());
        Status(b, id).Should().Be("paused");
        FreezerState(id).Should().Be("FROZEN");
        b.Csrun("pause", id).Stderr.Should().Contain("container not running");

        r = b.Csrun("resume", id);
        r.ExitCode.Should().Be(0, r.ToString());
        Status(b, id).Should().Be("running");
        FreezerState(id).Should().Be("THAWED");
        b.Csrun("resume", id).Stderr.Should().Contain("container not paused");

        b.Csrun("pause", id).ExitCode.Should().Be(0);
        b.Csrun("delete", "-f", id).ExitCode.Should().Be(0, "delete --force thaws a paused container to kill it");
        TestHost.Reap(pid);
        Leftovers.AssertNone(b, id);
    }

    [Fact]
    public void A_created_container_can_be_paused_and_resumed()
    {
        using var b = new Bundle("true");
        var id = b.NewId();
        b.Csrun("create", "-b", b.Dir, id).ExitCode.Should().Be(0);
        b.Csrun("pause", id).ExitCode.Should().Be(0);
        FreezerState(id).Should().Be("FROZEN");
        var r = b.Csrun("resume", id);
        r.ExitCode.Should().Be(0, r.ToString());
        FreezerState(id).Should().Be("THAWED");
    }

    [Fact]
    public void Pause_and_resume_of_an_unknown_container_say_it_does_not_exist()
    {
        using var b = new Bundle();
        foreach (var cmd in new[] { "pause", "resume" })
            b.Csrun(cmd, "nope-" + Guid.NewGuid().ToString("N")[..8]).Stderr.Should().Contain("container does not exist", cmd);
    }
}
