using CsRun.Launch;
using CsRun.Tests.Integration;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Security;

/// <summary>LSM labels: applied where the host has the LSM, a clear error where it does not.</summary>
public class LsmTests
{
    [Fact]
    public void An_apparmor_profile_on_a_host_without_apparmor_is_a_clear_error()
    {
        if (LsmCompiler.AppArmorEnabled()) return; // this host has AppArmor: the error path cannot happen
        using var b = new Bundle("true");
        b.Config.Process!.ApparmorProfile = "docker-default";
        var id = b.NewId();
        var r = b.Csrun("run", "-b", b.Dir, id);
        r.ExitCode.Should().Be(1);
        r.Stderr.Should().Contain("process.apparmorProfile").And.Contain("AppArmor is not enabled");
        Leftovers.AssertNone(b, id);
    }

    [Fact]
    public void Selinux_labels_on_a_host_without_selinux_are_a_clear_error()
    {
        if (LsmCompiler.SelinuxEnabled()) return;
        using var b = new Bundle("true");
        b.Config.Process!.SelinuxLabel = "system_u:system_r:container_t:s0";
        var r = b.Run();
        r.ExitCode.Should().Be(1);
        r.Stderr.Should().Contain("process.selinuxLabel").And.Contain("SELinux is not enabled");
        b.Config.Process.SelinuxLabel = null;
        b.Config.Linux!.MountLabel = "system_u:object_r:container_file_t:s0";
        r = b.Run();
        r.ExitCode.Should().Be(1);
        r.Stderr.Should().Contain("linux.mountLabel");
    }
}
