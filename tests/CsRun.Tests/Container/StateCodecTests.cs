using System.Text;
using System.Text.Json;
using CsRun.Container;
using CsRun.Spec;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Container;

/// <summary>state.json is written by hand (JsonText): it must stay valid JSON for any string.</summary>
public class StateCodecTests
{
    static readonly string[] Awkward =
    {
        "plain", "", "quote \" and backslash \\", "tab\tnewline\nreturn\r", "bell \u0007 nul \0 unit \u001f del \u007f",
        "</script> & 'single' +plus", "ünïcödé ✓ 容器", "emoji 🐳", "/path/with spaces/and:colons",
    };

    [Fact]
    public void Every_string_round_trips_and_the_file_is_strict_json()
    {
        foreach (var text in Awkward)
        {
            var s = new ContainerState
            {
                Id = "id-" + text.Length, InitPid = 4242, InitStartTime = ulong.MaxValue, Bundle = text, Rootfs = text,
                Created = "2026-11-28T00:00:00Z", Owner = text, SystemdCgroup = true,
                CgroupPaths = new() { [text] = text, ["memory"] = "/sys/fs/cgroup/memory/x" },
                ConfigJson = Encoding.UTF8.GetBytes("{\"ociVersion\":\"1.2.0\",\"annotations\":{\"k\":\"v\"}}"),
            };
            var bytes = StateCodec.Write(s);
            using (var doc = JsonDocument.Parse(bytes)) // strict: throws on anything invalid
                doc.RootElement.GetProperty("bundle").GetString().Should().Be(text);
            var back = StateCodec.Read(bytes);
            back.Bundle.Should().Be(text);
            back.Rootfs.Should().Be(text);
            back.Owner.Should().Be(text);
            back.InitPid.Should().Be(4242);
            back.InitStartTime.Should().Be(ulong.MaxValue);
            back.SystemdCgroup.Should().BeTrue();
            back.CgroupPaths.Should().BeEquivalentTo(s.CgroupPaths);
            back.Summary!.OciVersion.Should().Be("1.2.0");
            back.Summary.Annotations.Should().BeEquivalentTo(new Dictionary<string, string> { ["k"] = "v" });
        }
    }

    [Fact]
    public void A_config_that_is_not_strict_json_is_written_from_the_model()
    {
        var loose = "{ // comment\n \"ociVersion\": \"1.2.0\", \"process\": {\"args\": [\"sh\"], \"cwd\": \"/\",},\n \"root\": {\"path\": \"rootfs\"} }"u8.ToArray();
        ConfigLoader.IsStrictJson(loose).Should().BeFalse();
        ConfigLoader.IsStrictJson("\uFEFF{}"u8).Should().BeFalse("a byte-order mark cannot sit inside state.json");
        ConfigLoader.IsStrictJson("{} x"u8).Should().BeFalse();
        var s = new ContainerState { Id = "c", Config = ConfigLoader.Parse(loose) };
        var bytes = StateCodec.Write(s);
        using var doc = JsonDocument.Parse(bytes);
        doc.RootElement.GetProperty("config").GetProperty("process").GetProperty("args")[0].GetString().Should().Be("sh");
    }

    [Fact]
    public void Another_runtimes_state_file_is_not_read_as_a_stopped_container()
    {
        // The shape runc 1.1.5 writes under its --root (a shared --root used to list it as stopped, pid 0).
        var runc = "{\"id\":\"t1\",\"init_process_pid\":956,\"init_process_start\":1234,\"created\":\"2026-12-05T20:46:34Z\",\"config\":{\"rootfs\":\"/tmp/sb/rootfs\"},\"rootless\":false}"u8.ToArray();
        var read = () => StateCodec.Read(runc);
        read.Should().Throw<JsonException>().WithMessage("*not a state file written by csrun*");
    }
}
