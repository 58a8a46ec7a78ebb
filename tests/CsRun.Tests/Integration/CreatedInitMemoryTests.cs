using System.Globalization;
using CsRun.Launch;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Integration;

/// <summary>
/// The init waiting in the created state gives back the runtime's rehydrated type data
/// (RuntimeData), which the forked child never reads, and still runs its process on start.
/// </summary>
public class CreatedInitMemoryTests
{
    [Fact]
    public void The_created_init_has_unmapped_the_runtime_type_data_and_still_starts()
    {
        var (addr, size) = RuntimeData.Section(TestHost.Csrun, ".hydrated", out _);
        size.Should().BeGreaterThan(256 * 1024UL, "out/csrun is a NativeAOT binary with a .hydrated section");

        using var b = new Bundle("sh", "-c", "echo started > /started");
        b.Config.Root!.Readonly = false;
        var id = b.NewId();
        b.Csrun("create", "-b", b.Dir, id).ExitCode.Should().Be(0);
        int pid = int.Parse(System.Text.Json.JsonDocument.Parse(b.Csrun("state", id).Stdout).RootElement.GetProperty("pid").GetRawText());

        // The same pages are mapped in a live csrun (control: the test would see them if they stayed).
        using (var running = new Bundle("sleep", "30"))
        {
            var rid = running.NewId();
            var psi = new System.Diagnostics.ProcessStartInfo(TestHost.Csrun) { ArgumentList = { "--root", running.StateRoot, "run", "-b", running.Dir, rid } };
            using var parent = System.Diagnostics.Process.Start(psi)!;
            LifecycleTests.WaitFor(() => running.Csrun("state", rid).Stdout.Contains("\"running\""));
            Mapped(parent.Id, addr, size).Should().BeTrue("a csrun process keeps its type data");
            running.Csrun("kill", rid, "KILL").ExitCode.Should().Be(0);
            parent.WaitForExit(10_000).Should().BeTrue();
        }

        Mapped(pid, addr, size).Should().BeFalse("the created init unmapped the type data");
        b.Csrun("start", id).ExitCode.Should().Be(0);
        LifecycleTests.WaitFor(() => File.Exists(Path.Combine(b.Rootfs, "started")));
        b.Csrun("delete", "-f", id).ExitCode.Should().Be(0);
        TestHost.Reap(pid);
        Leftovers.AssertNone(b, id);
    }

    static readonly Lazy<string> Inode = new(() =>
    {
        CsRun.Linux.Files.Stat(TestHost.Csrun, out var id).Should().Be(0);
        return id.Ino.ToString();
    });

    /// <summary>Is any page of the section (as loaded in <paramref name="pid"/>) mapped there?</summary>
    static bool Mapped(int pid, ulong addr, ulong size)
    {
        var maps = File.ReadAllLines($"/proc/{pid}/maps");
        // By inode: csrun runs from a read-only view of its binary, whose path maps shows as "/".
        string inode = Inode.Value;
        var first = maps.First(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries) is var f && f.Length > 4 && f[2] == "00000000" && f[4] == inode);
        long bias = long.Parse(first[..first.IndexOf('-')], NumberStyles.HexNumber);
        var (start, length) = RuntimeData.WholePages(bias, addr, size);
        length.Should().BeGreaterThan(0);
        foreach (var l in maps)
        {
            var range = l[..l.IndexOf(' ')].Split('-');
            long lo = long.Parse(range[0], NumberStyles.HexNumber), hi = long.Parse(range[1], NumberStyles.HexNumber);
            if (lo < start + length && hi > start) return true;
        }
        return false;
    }
}
