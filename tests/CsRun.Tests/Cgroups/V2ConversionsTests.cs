using CsRun.Cgroups;
using CsRun.Errors;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Cgroups;

public class V2ConversionsTests
{
    [Theory]
    [InlineData(0UL, 0UL)]
    [InlineData(2UL, 1UL)]
    [InlineData(1024UL, 100UL)] // the defaults map onto each other
    [InlineData(512UL, 59UL)]
    [InlineData(2048UL, 174UL)]
    [InlineData(262144UL, 10000UL)]
    [InlineData(1000000UL, 10000UL)]
    public void Cpu_shares_become_weight_like_runc(ulong shares, ulong weight) =>
        V2Conversions.CpuWeight(shares).Should().Be(weight);

    [Theory]
    [InlineData(0, 0UL)]
    [InlineData(10, 1UL)]
    [InlineData(500, 4950UL)]
    [InlineData(1000, 10000UL)]
    public void Blkio_weight_becomes_io_weight_linearly(int blkio, ulong io) =>
        V2Conversions.IoWeight((ushort)blkio).Should().Be(io);

    [Theory]
    [InlineData(0L, -1L, -1L)] // unlimited memory, swap unset: unlimited swap
    [InlineData(-1L, 1000L, -1L)]
    [InlineData(0L, 1000L, 0L)]
    [InlineData(3000L, 1000L, 2000L)]
    [InlineData(1000L, 1000L, 0L)]
    [InlineData(5000L, -1L, 5000L)]
    public void Memory_plus_swap_becomes_swap_alone(long memorySwap, long memory, long swap) =>
        V2Conversions.SwapOnly(memorySwap, memory, "f").Should().Be(swap);

    [Theory]
    [InlineData(1000L, 0L, "f: unable to set swap limit without memory limit")]
    [InlineData(500L, 1000L, "f: memory+swap limit should be >= memory limit")]
    public void Impossible_swap_values_are_refused(long memorySwap, long memory, string message)
    {
        var act = () => V2Conversions.SwapOnly(memorySwap, memory, "f");

        act.Should().Throw<RuntimeError>().WithMessage(message);
    }

    [Fact]
    public void Limits_use_max_for_unlimited_and_skip_unset()
    {
        V2Conversions.Limit(-1).Should().Be("max");
        V2Conversions.Limit(0).Should().BeNull();
        V2Conversions.Limit(4096).Should().Be("4096");
    }
}
