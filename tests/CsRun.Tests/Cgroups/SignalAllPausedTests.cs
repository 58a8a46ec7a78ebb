using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Cgroups;

/// <summary>SignalAll on a paused (frozen) cgroup: it stays paused, but SIGKILL still kills.</summary>
public class SignalAllPausedTests
{
    [Fact]
    public void A_frozen_cgroup_stays_frozen_and_gets_the_signal_on_thaw()
    {
        using var cg = new TestCgroup();
        var p = cg.Started();
        cg.Manager.Freeze(true);

        cg.Manager.SignalAll(15);

        cg.Manager.IsFrozen().Should().BeTrue("kill --all must not resume a paused container");
        p.WaitForExit(300).Should().BeFalse("a frozen process handles no signal");
        cg.Manager.Freeze(false);
        p.WaitForExit(5000).Should().BeTrue();
        p.ExitCode.Should().Be(128 + 15);
    }

    [Fact]
    public void SIGKILL_thaws_a_frozen_cgroup_so_that_its_processes_die()
    {
        using var cg = new TestCgroup();
        var p = cg.Started();
        cg.Manager.Freeze(true);

        cg.Manager.SignalAll(9);

        p.WaitForExit(5000).Should().BeTrue();
        cg.Manager.IsFrozen().Should().BeFalse();
    }
}
