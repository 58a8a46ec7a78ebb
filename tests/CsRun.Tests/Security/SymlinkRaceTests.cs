using CsRun.Spec;
using System.Runtime.InteropServices;
using CsRun.Tests.Integration;
using FluentAssertions;
using Xunit;
using Xunit.Abstractions;

namespace CsRun.Tests.Security;

/// <summary>
/// CVE-2021-30465, CVE-2024-45310: a mount destination inside a volume the attacker controls,
/// whose parent a host process keeps swapping between a directory and a symlink to "/" while
/// containers start. The mount and the directories csrun creates must stay inside the container.
/// </summary>
[Collection(Serial.Name)]
public class SymlinkRaceTests
{
    readonly ITestOutputHelper _out;
    public SymlinkRaceTests(ITestOutputHelper output) { _out = output; }

    [Fact]
    public void A_racing_symlink_swap_never_leads_a_mount_or_mkdir_out_of_the_container()
    {
        using var b = new Bundle();
        string vol = Path.Combine(b.Dir, "vol");
        Directory.CreateDirectory(Path.Combine(vol, "x"));
        File.CreateSymbolicLink(Path.Combine(vol, "y"), "/");
        string marker = "csrun-race-" + Guid.NewGuid().ToString("N")[..8];
        b.Config.Root!.Readonly = false;
        b.Config.Mounts!.Add(new MountEntry { Destination = "/vol", Type = "bind", Source = vol, Options = new() { "rbind" } });
        b.Config.Mounts.Add(new MountEntry { Destination = $"/vol/x/{marker}", Type = "tmpfs", Source = "tmpfs" });
        b.Config.Process!.Args = new() { "sh", "-c", $"grep -c {marker} /proc/self/mountinfo" };

        using var stop = new CancellationTokenSource();
        string x = Path.Combine(vol, "x"), y = Path.Combine(vol, "y");
        var flipper = new Thread(() =>
        {
            while (!stop.IsCancellationRequested) renameat2(-100, x, -100, y, 2 /*RENAME_EXCHANGE*/);
        })
        { IsBackground = true };
        flipper.Start();
        int ok = 0, refused = 0;
        try
        {
            for (int i = 0; i < 30; i++)
            {
                var id = b.NewId("race");
                var r = b.Csrun("run", "-b", b.Dir, id);
                if (r.ExitCode == 0)
                {
                    ok++;
                    r.Stdout.Trim().Should().Be("1", "the tmpfs is visible inside the container: it was not mounted elsewhere");
                }
                else
                {
                    refused++;
                    r.ExitCode.Should().Be(1, r.ToString());
                    r.Stderr.Should().Contain("mounts[", r.ToString());
                }
                File.Exists("/" + marker).Should().BeFalse();
                Directory.Exists("/" + marker).Should().BeFalse("nothing may be created on the host's root");
                Leftovers.AssertNone(b, id);
            }
        }
        finally
        {
            stop.Cancel();
            flipper.Join();
        }
        _out.WriteLine($"30 starts under a racing swap: {ok} ran, {refused} refused cleanly");
        ok.Should().BeGreaterThan(0, "containers must still start while the volume changes under them");
    }

    [DllImport("libc", SetLastError = true)]
    static extern int renameat2(int olddirfd, string oldpath, int newdirfd, string newpath, uint flags);
}
