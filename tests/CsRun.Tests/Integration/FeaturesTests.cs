using System.Text.Json;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Integration;

public class FeaturesTests
{
    [Fact]
    public void Features_lists_namespaces_hooks_mount_options_and_seccomp()
    {
        var r = CsrunCli.Run(new[] { "features" });
        r.ExitCode.Should().Be(0, r.ToString());
        var f = JsonDocument.Parse(r.Stdout).RootElement;
        f.GetProperty("hooks").EnumerateArray().Select(h => h.GetString()).Should().Contain("createContainer");
        f.GetProperty("mountOptions").EnumerateArray().Select(h => h.GetString()).Should().Contain(new[] { "rro", "rbind", "nosymfollow" });
        var linux = f.GetProperty("linux");
        linux.GetProperty("namespaces").GetArrayLength().Should().Be(8);
        linux.GetProperty("seccomp").GetProperty("actions").EnumerateArray().Select(a => a.GetString()).Should().Contain("SCMP_ACT_NOTIFY");
        linux.GetProperty("capabilities").EnumerateArray().Select(a => a.GetString()).Should().Contain("CAP_SYS_ADMIN");
    }
}
