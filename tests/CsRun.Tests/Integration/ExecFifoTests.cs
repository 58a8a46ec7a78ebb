using CsRun.Spec;
using System.Text.Json;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Integration;

/// <summary>
/// The init waits for `start` by reopening its exec fifo through a procfs of its own, so a
/// container with no /proc, or with something else mounted there, starts (runc 1.1.5 fails its
/// create: "open /proc/self/fd: no such file or directory").
/// </summary>
public class ExecFifoTests
{
    [Theory]
    [InlineData("no /proc mount", false, 0u)]
    [InlineData("a tmpfs on /proc, a non-root process", true, 1000u)]
    public void Start_does_not_need_the_containers_proc(string why, bool tmpfsOnProc, uint uid)
    {
        using var b = new Bundle("sleep", "100");
        b.Config.Process!.User = new() { Uid = uid, Gid = uid };
        b.Config.Mounts!.RemoveAll(m => m.Destination == "/proc");
        if (tmpfsOnProc)
            b.Config.Mounts.Add(new MountEntry { Destination = "/proc", Type = "tmpfs", Source = "tmpfs", Options = new() { "nosuid" } });
        b.Config.Linux!.MaskedPaths = new();
        b.Config.Linux.ReadonlyPaths = new();
        var id = b.NewId();

        var r = b.Csrun("create", "-b", b.Dir, id);
        r.ExitCode.Should().Be(0, r.ToString());
        r = b.Csrun("start", id);
        r.ExitCode.Should().Be(0, $"{why}: {r}");
        var state = JsonDocument.Parse(b.Csrun("state", id).Stdout).RootElement;
        state.GetProperty("status").GetString().Should().Be("running", why);
        int pid = state.GetProperty("pid").GetInt32();
        File.ReadAllText($"/proc/{pid}/cmdline").Should().Be("sleep\0100\0");
        // The private procfs went with the wait: the init holds only its stdio.
        Directory.GetFileSystemEntries($"/proc/{pid}/fd").Select(Path.GetFileName).Should().BeEquivalentTo(new[] { "0", "1", "2" });
    }
}
