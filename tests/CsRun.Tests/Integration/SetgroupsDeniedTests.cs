using CsRun.Spec;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Integration;

/// <summary>
/// csrun run by root of a user namespace whose setgroups is "deny" (`unshare -Ur`, as rootless
/// engines run their runtime): every user namespace made below inherits the deny, so setgroups(2)
/// fails there. runc skips it when no additional gids are asked for; so does csrun, and it
/// refuses additional gids with an error naming the field instead of failing in the child.
/// </summary>
public class SetgroupsDeniedTests
{
    static Bundle RootlessBundle(params uint[] additionalGids)
    {
        var b = new Bundle("id");
        var spec = DefaultSpec.Create(rootless: true, 0, 0);
        spec.Root!.Path = b.Rootfs;
        spec.Process!.Terminal = false;
        spec.Process.Args = new() { "id" };
        if (additionalGids.Length > 0) spec.Process.User!.AdditionalGids = additionalGids.ToList();
        b.Config = spec;
        b.Save();
        return b;
    }

    static CliResult RunInDeniedUserns(Bundle b, string id) =>
        CsrunCli.RunProgram("unshare", new[] { "-Ur", "sh", "-c", "cat /proc/self/setgroups >&2; exec \"$@\"", "sh", TestHost.Csrun, "--root", b.StateRoot, "run", "-b", b.Dir, id });

    [Fact]
    public void Without_additional_gids_setgroups_is_skipped_and_the_container_runs()
    {
        using var b = RootlessBundle();
        var r = RunInDeniedUserns(b, b.NewId());
        r.Stderr.Should().StartWith("deny", "the test's premise: unshare -Ur denies setgroups");
        r.ExitCode.Should().Be(0, r.ToString());
        r.Stdout.Trim().Should().Be("uid=0(root) gid=0(root)");
    }

    [Fact]
    public void Additional_gids_are_refused_naming_the_field()
    {
        using var b = RootlessBundle(0);
        var r = RunInDeniedUserns(b, b.NewId());
        r.ExitCode.Should().Be(1);
        r.Stderr.Should().Contain("process.user.additionalGids: cannot be set: the container's user namespace denies setgroups");
        r.Stderr.Should().NotContain("EPERM");
    }
}
