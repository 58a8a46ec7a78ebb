using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using CsRun.Cli;
using CsRun.Container;
using CsRun.Errors;
using CsRun.Spec;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Spec;

public class DefaultSpecTests
{
    /// <summary>What `runc spec [--rootless]` writes: from the installed runc when there is one
    /// (run as root, so the rootless maps are 0 → 0), else the committed capture of it.</summary>
    static string RuncSpec(bool rootless)
    {
        string? runc = new[] { "/usr/sbin/runc", "/usr/bin/runc", "/usr/local/sbin/runc", "/usr/local/bin/runc" }.FirstOrDefault(File.Exists);
        if (runc == null || Environment.UserName != "root")
            return File.ReadAllText(Fixtures.PathOf(rootless ? "valid/runc-spec-rootless.json" : "valid/runc-spec.json"));
        string dir = Directory.CreateTempSubdirectory().FullName;
        try
        {
            var psi = new ProcessStartInfo(runc) { WorkingDirectory = dir, RedirectStandardError = true };
            psi.ArgumentList.Add("spec");
            if (rootless) psi.ArgumentList.Add("--rootless");
            using var p = System.Diagnostics.Process.Start(psi)!;
            p.WaitForExit();
            p.ExitCode.Should().Be(0, p.StandardError.ReadToEnd());
            return File.ReadAllText(Path.Combine(dir, "config.json"));
        }
        finally { Directory.Delete(dir, true); }
    }

    static string Ours(bool rootless) => Encoding.UTF8.GetString(DefaultSpec.ToJson(DefaultSpec.Create(rootless, 0, 0)));

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Equals_runc_spec_semantically_but_for_the_spec_version(bool rootless)
    {
        var runc = JsonNode.Parse(RuncSpec(rootless))!.AsObject();
        var ours = JsonNode.Parse(Ours(rootless))!.AsObject();
        ours["ociVersion"]!.GetValue<string>().Should().Be(DefaultSpec.SpecVersion);
        runc.Remove("ociVersion");
        ours.Remove("ociVersion");
        JsonNode.DeepEquals(ours, runc).Should().BeTrue($"ours:\n{ours}\nrunc:\n{runc}");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Has_runc_spec_bytes_but_for_the_spec_version(bool rootless)
    {
        string runc = RuncSpec(rootless);
        string runcVersion = JsonNode.Parse(runc)!["ociVersion"]!.GetValue<string>();
        string ours = Ours(rootless).Replace($"\"ociVersion\": \"{DefaultSpec.SpecVersion}\"", $"\"ociVersion\": \"{runcVersion}\"");
        ours.Should().Be(runc);
    }

    [Fact]
    public void Rootless_maps_the_given_ids_to_root()
    {
        var c = DefaultSpec.Create(rootless: true, 1000, 1001);
        c.Linux!.UidMappings.Should().ContainSingle().Which.Should().Be(new IdMapping { ContainerId = 0, HostId = 1000, Size = 1 });
        c.Linux.GidMappings.Should().ContainSingle().Which.Should().Be(new IdMapping { ContainerId = 0, HostId = 1001, Size = 1 });
        c.Linux.Namespaces!.Select(n => n.Type).Should().Equal("pid", "ipc", "uts", "mount", "user");
        c.Linux.Resources.Should().BeNull();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Is_valid(bool rootless)
    {
        var act = () => ConfigValidator.Validate(DefaultSpec.Create(rootless, 1000, 1000), "/b", new ValidationOptions { CheckHost = false, Rootless = rootless });
        act.Should().NotThrow();
    }
}

public class SpecCommandTests
{
    static void Run(params string[] argv)
    {
        var command = new SpecCommand();
        command.Run(new GlobalOptions(), ParsedArgs.Parse(argv, command.Flags));
    }

    [Fact]
    public void Writes_config_json_into_the_bundle_and_never_over_one()
    {
        string bundle = Directory.CreateTempSubdirectory().FullName;
        try
        {
            Run("--bundle", bundle, "--rootless");
            string path = Path.Combine(bundle, "config.json");
            File.ReadAllBytes(path).Should().Equal(DefaultSpec.ToJson(DefaultSpec.Create(rootless: true)));
            File.WriteAllText(path, "mine");
            var again = () => Run("-b", bundle);
            again.Should().Throw<RuntimeError>().WithMessage("File config.json exists. Remove it first");
            File.ReadAllText(path).Should().Be("mine");
        }
        finally { Directory.Delete(bundle, true); }
    }

    [Fact]
    public void A_bad_bundle_reads_like_runcs_chdir_error()
    {
        var act = () => Run("-b", "/nonexistent/bundle");
        act.Should().Throw<RuntimeError>().WithMessage("chdir /nonexistent/bundle: no such file or directory");
        act = () => Run("-b", "/etc/hostname");
        act.Should().Throw<RuntimeError>().WithMessage("chdir /etc/hostname: not a directory");
    }

    [Fact]
    public void Takes_no_arguments()
    {
        var act = () => Run("mycontainer");
        act.Should().Throw<RuntimeError>().WithMessage("csrun: \"spec\" requires exactly 0 argument(s)");
    }
}
