using CsRun.Container;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Container;

public class EventStreamTests
{
    [Theory]
    [InlineData(-1L, 0)]
    [InlineData(0L, 0)]
    [InlineData(1L, 1)] // a tick left still waits a whole millisecond, never busy-polls at 0
    [InlineData(10_000L, 1)]
    [InlineData(10_001L, 2)]
    [InlineData(50_000_000L, 5000)]
    [InlineData(long.MaxValue, int.MaxValue)]
    public void Poll_waits_the_time_left_rounded_up_to_milliseconds(long ticks, int timeout) =>
        EventStream.PollTimeout(TimeSpan.FromTicks(ticks)).Should().Be(timeout);
}
