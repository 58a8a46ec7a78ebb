using CsRun.Launch;
using CsRun.Tests.Integration;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Security;

/// <summary>LSM labels: applied where the host has the LSM, a clear error where it does not
/// (a mount label, which confines nothing without SELinux, is a warning there).</summary>
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
    public void A_selinux_process_label_on_a_host_without_selinux_is_a_clear_error()
    {
        if (LsmCompiler.SelinuxEnabled()) return;
        using var b = new Bundle("true");
        b.Config.Process!.SelinuxLabel = "system_u:system_r:container_t:s0";
        var id = b.NewId();
        var r = b.Csrun("run", "-b", b.Dir, id);
        r.ExitCode.Should().Be(1);
        r.Stderr.Should().Contain("process.selinuxLabel").And.Contain("SELinux is not enabled");
        Leftovers.AssertNone(b, id);
    }

    [Fact]
    public void A_mount_label_on_a_host_without_selinux_is_a_warning_and_mounts_go_unlabelled()
    {
        if (LsmCompiler.SelinuxEnabled()) return;
        using var b = new Bundle("sh", "-c", "grep -c context= /proc/self/mountinfo; true");
        b.Config.Linux!.MountLabel = "system_u:object_r:container_file_t:s0";
        var r = b.Run();
        r.ExitCode.Should().Be(0, r.Stderr);
        r.Stderr.Should().Contain("linux.mountLabel").And.Contain("ignored: SELinux is not enabled");
        r.Stdout.Trim().Should().Be("0");
    }
}
