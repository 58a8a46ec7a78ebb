using System.Diagnostics;
using CsRun.Launch;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Launch;

/// <summary>Moving a child off our CPU, on real processes.</summary>
public class CpuHandoffTests
{
    static string Allowed(int pid) =>
        File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("Cpus_allowed_list:")).Split(':')[1].Trim();

    static int Count(byte[] mask) => mask.Sum(b => System.Numerics.BitOperations.PopCount(b));

    [Fact]
    public void MoveAway_leaves_the_child_every_allowed_cpu_but_one()
    {
        var mask = CpuHandoff.CurrentMask();
        mask.Should().NotBeNull();
        using var p = Process.Start("sleep", "30");
        try
        {
            string before = Allowed(p.Id);
            CpuHandoff.MoveAway(p.Id, mask!);
            string after = Allowed(p.Id);
            if (Count(mask!) == 1) after.Should().Be(before, "with one CPU there is nowhere to go");
            else after.Should().NotBe(before).And.NotBeEmpty();
        }
        finally { p.Kill(); p.WaitForExit(); }
    }

    [Fact]
    public void A_one_cpu_mask_moves_nothing()
    {
        var mask = CpuHandoff.CurrentMask()!;
        using var p = Process.Start("sleep", "30");
        try
        {
            string before = Allowed(p.Id);
            // Only the CPU we run on (as far as getcpu knows): MoveAway finds no other.
            var only = new byte[mask.Length];
            int cpu = Thread.GetCurrentProcessorId();
            only[cpu / 8] = (byte)(1 << (cpu % 8));
            Thread.BeginThreadAffinity();
            CpuHandoff.MoveAway(p.Id, only);
            Thread.EndThreadAffinity();
            Allowed(p.Id).Should().Be(before);
        }
        finally { p.Kill(); p.WaitForExit(); }
    }
}
