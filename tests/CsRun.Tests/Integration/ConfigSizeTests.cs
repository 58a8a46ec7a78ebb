using CsRun.Spec;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Integration;

/// <summary>
/// What a config can cost: config.json, exec --process and update -r are read only when they
/// are regular files within a limit (a 112 MB config used to take csrun to 922 MB; a FIFO
/// hung it, /dev/zero ran it out of memory).
/// </summary>
public class ConfigSizeTests
{
    [Fact]
    public void Create_refuses_an_oversized_config_before_making_anything()
    {
        using var b = new Bundle("true");
        b.Save();
        string config = Path.Combine(b.Dir, "config.json");
        // Valid JSON padded with spaces past the limit: only the size is wrong.
        using (var f = File.AppendText(config)) f.Write(new string(' ', (int)ConfigLoader.ConfigLimit));
        long size = new FileInfo(config).Length;
        string log = Path.Combine(b.Dir, "log.json");
        var id = b.NewId();
        var r = CsrunCli.Run(new[] { "--root", b.StateRoot, "--log", log, "--log-format", "json", "create", "-b", b.Dir, id });
        r.ExitCode.Should().Be(1, r.ToString());
        string message = $"{config}: too large ({size} bytes, limit {ConfigLoader.ConfigLimit})";
        r.Stderr.Should().Contain(message).And.NotContain("Exception");
        File.ReadAllText(log).Should().Contain(message);
        Leftovers.AssertNone(b, id);
    }

    [Theory]
    [InlineData("fifo", "a fifo")]
    [InlineData("/dev/zero", "a character device")]
    public void Create_refuses_a_config_that_is_not_a_regular_file_without_reading_it(string kind, string words)
    {
        using var b = new Bundle("true");
        string config = Path.Combine(b.Dir, "config.json");
        if (kind == "fifo") CsRun.Linux.Files.Mkfifo(config, 0x180);
        else File.CreateSymbolicLink(config, kind);
        var id = b.NewId();
        var r = CsrunCli.Run(new[] { "--root", b.StateRoot, "create", "-b", b.Dir, id }, timeoutMs: 10_000);
        r.ExitCode.Should().Be(1, r.ToString());
        r.Stderr.Should().Contain($"{config}: not a regular file ({words})");
        Leftovers.AssertNone(b, id);
    }

    [Fact]
    public void Exec_process_file_and_update_resources_are_bounded()
    {
        using var b = new Bundle("sleep", "100");
        var id = b.NewId();
        b.Csrun("run", "-d", "-b", b.Dir, id).ExitCode.Should().Be(0);
        string process = Path.Combine(b.Dir, "process.json");
        File.WriteAllText(process, """{"args":["true"],"cwd":"/"}""" + new string(' ', (int)ConfigLoader.ConfigLimit));
        var r = b.Csrun("exec", "-p", process, id);
        r.ExitCode.Should().Be(255, r.ToString());
        r.Stderr.Should().Contain($"{process}: too large ({new FileInfo(process).Length} bytes, limit {ConfigLoader.ConfigLimit})");

        string resources = Path.Combine(b.Dir, "resources.json");
        File.WriteAllText(resources, """{"pids":{"limit":15}}""" + new string(' ', (int)ConfigLoader.ResourcesLimit));
        r = b.Csrun("update", "-r", resources, id);
        r.ExitCode.Should().Be(1, r.ToString());
        r.Stderr.Should().Contain($"{resources}: too large ({new FileInfo(resources).Length} bytes, limit {ConfigLoader.ResourcesLimit})");

        r = CsrunCli.Run(new[] { "--root", b.StateRoot, "update", "-r", "-", id }, stdin: """{"pids":{"limit":15}}""" + new string(' ', (int)ConfigLoader.ResourcesLimit));
        r.ExitCode.Should().Be(1, r.ToString());
        r.Stderr.Should().Contain($"stdin: too large (more than {ConfigLoader.ResourcesLimit} bytes, limit {ConfigLoader.ResourcesLimit})");

        string fifo = Path.Combine(b.Dir, "fifo.json");
        CsRun.Linux.Files.Mkfifo(fifo, 0x180);
        r = CsrunCli.Run(new[] { "--root", b.StateRoot, "exec", "-p", fifo, id }, timeoutMs: 10_000);
        r.ExitCode.Should().Be(255, r.ToString());
        r.Stderr.Should().Contain($"{fifo}: not a regular file (a fifo)");
        b.Csrun("exec", id, "true").ExitCode.Should().Be(0, "the container is untouched");
    }
}
