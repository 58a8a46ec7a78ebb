using CsRun.Spec;
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

/// <summary>`csrun features` must be exactly true: every mount option it lists is applied by
/// create, and what csrun refuses is not listed.</summary>
public class FeaturesMountOptionsTests
{
    static List<string> ListedMountOptions()
    {
        var r = CsrunCli.Run(new[] { "features" });
        r.ExitCode.Should().Be(0, r.ToString());
        return JsonDocument.Parse(r.Stdout).RootElement.GetProperty("mountOptions").EnumerateArray().Select(o => o.GetString()!).ToList();
    }

    [Fact]
    public void Every_listed_mount_option_is_accepted_by_create()
    {
        var options = ListedMountOptions();
        options.Should().NotBeEmpty();
        using var b = new Bundle("true");
        string source = Path.Combine(b.Dir, "bind-source");
        Directory.CreateDirectory(source);
        File.WriteAllText(Path.Combine(source, "file"), "x");
        // One mount per option, so a refusal names the option's mount: options that make a bind
        // mount (or only mean something on one) get a bind of a host directory, the rest a tmpfs.
        // idmap and ridmap take a bind with maps of its own (there is no user namespace here).
        var binds = new HashSet<string> { "bind", "rbind", "remount" };
        var idmaps = new HashSet<string> { "idmap", "ridmap" };
        var map = new List<IdMapping> { new() { ContainerId = 0, HostId = 100000, Size = 65536 } };
        foreach (var (o, i) in options.Select((o, i) => (o, i)))
        {
            b.Config.Mounts!.Add(binds.Contains(o)
                ? new MountEntry { Destination = $"/opt{i}", Type = "bind", Source = source, Options = new() { o == "remount" ? "bind" : o, o } }
                : idmaps.Contains(o)
                ? new MountEntry { Destination = $"/opt{i}", Type = "bind", Source = source, Options = new() { "rbind", o }, UidMappings = map, GidMappings = map }
                : new MountEntry { Destination = $"/opt{i}", Type = "tmpfs", Source = "tmpfs", Options = new() { o } });
        }
        var id = b.NewId("feat");
        var r = b.Csrun("create", "-b", b.Dir, id);
        r.ExitCode.Should().Be(0, $"every mount option features lists ({string.Join(",", options)}) must be accepted: {r}");
        b.Csrun("delete", "-f", id).ExitCode.Should().Be(0);
    }
}
