using System.Diagnostics;
using CsRun.Container;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Container;

/// <summary>/proc/PID/stat, read for real: the start time csrun pins a container's init by, and zombies.</summary>
public class ProcessInfoTests
{
    [Fact]
    public void Read_gives_the_state_the_flags_and_the_start_time_of_a_process_whose_name_has_spaces_and_parentheses()
    {
        // comm is the executable's name: a copy of sleep named with spaces and parentheses.
        string dir = Directory.CreateTempSubdirectory("csrun-pi-").FullName;
        string odd = Path.Combine(dir, "a) b (c");
        File.Copy("/bin/sleep", odd);
        using var p = Process.Start(odd, "30");
        try
        {
            string stat = File.ReadAllText($"/proc/{p.Id}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var info = ProcessInfo.Read(p.Id);
            info.Should().NotBeNull();
            info!.Value.StartTime.Should().Be(ulong.Parse(fields[19]));
            // State and flags move while the process runs: compare what cannot (PF_KTHREAD, PF_EXITING).
            (info.Value.Flags & 0x200004u).Should().Be(uint.Parse(fields[6]) & 0x200004u);
            info.Value.State.Should().BeOneOf('R', 'S', 'D');
            info.Value.IsZombie.Should().BeFalse();
            ProcessInfo.IsAlive(p.Id, info.Value.StartTime).Should().BeTrue();
            ProcessInfo.IsAlive(p.Id, info.Value.StartTime + 1).Should().BeFalse("a recycled pid has another start time");
        }
        finally
        {
            p.Kill();
            p.WaitForExit();
            Directory.Delete(dir, recursive: true);
        }
        ProcessInfo.Read(p.Id).Should().BeNull("the process is gone");
        ProcessInfo.Read(0).Should().BeNull();
    }
}
