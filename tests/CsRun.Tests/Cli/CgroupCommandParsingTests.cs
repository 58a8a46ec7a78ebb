using System.Text.Json;
using CsRun.Cgroups;
using CsRun.Cli;
using CsRun.Container;
using CsRun.Errors;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Cli;

/// <summary>The value parsing and output shaping of update, events and ps, without a container.</summary>
public class CgroupCommandParsingTests
{
    [Theory]
    [InlineData("512", 512L)]
    [InlineData("64m", 64L << 20)]
    [InlineData("64M", 64L << 20)]
    [InlineData("1.5GiB", 3L << 29)]
    [InlineData("2 kb", 2048L)]
    [InlineData("1KB", 1024L)]
    [InlineData("3b", 3L)]
    [InlineData("1t", 1L << 40)]
    [InlineData("1p", 1L << 50)]
    [InlineData("0.25k", 256L)]
    public void Sizes_parse_as_runcs_update_flags_do(string text, long bytes) => RamSize.Parse(text).Should().Be(bytes);

    [Theory]
    [InlineData("abc", "invalid size: 'abc'")]
    [InlineData("10x", "invalid size: '10x'")]
    [InlineData("-5", "invalid size: '-5'")]
    [InlineData("1.", "invalid size: '1.'")]
    [InlineData("1.2.3", "strconv.ParseFloat: parsing \"1.2.3\": invalid syntax")]
    [InlineData("8192p", "invalid size: '8192p': value out of range")]
    public void Bad_sizes_get_go_units_messages(string text, string message) =>
        FluentActions.Invoking(() => RamSize.Parse(text)).Should().Throw<RuntimeError>().WithMessage(message);

    [Theory]
    [InlineData("5s", 5e9)]
    [InlineData("250ms", 250e6)]
    [InlineData("1m30s", 90e9)]
    [InlineData("1.5h", 5400e9)]
    [InlineData("10us", 10e3)]
    [InlineData("10\u00b5s", 10e3)]
    [InlineData("0", 0.0)]
    [InlineData("-1s", -1e9)]
    public void Durations_parse_as_go_does(string text, double nanos) => GoDuration.Parse(text).Should().Be(nanos);

    [Theory]
    [InlineData("5")]
    [InlineData("")]
    [InlineData("s")]
    [InlineData("5x")]
    [InlineData("1..2s")]
    public void Bad_durations_are_refused(string text) => GoDuration.Parse(text).Should().BeNull();

    [Fact]
    public void Ps_keeps_the_header_and_the_lines_of_the_containers_pids()
    {
        const string ps = "UID        PID  PPID  C STIME TTY          TIME CMD\n"
            + "root         1     0  0 01:00 ?        00:00:00 init\n"
            + "root        42     1  0 01:00 ?        00:00:00 sleep 100\n"
            + "root       420     1  0 01:00 ?        00:00:00 sleep 42\n";

        PsCommand.Filter(ps, new HashSet<int> { 42 }).Should().Be(
            "UID        PID  PPID  C STIME TTY          TIME CMD\n"
            + "root        42     1  0 01:00 ?        00:00:00 sleep 100\n");
    }

    [Fact]
    public void Ps_output_without_a_PID_column_is_runcs_error() =>
        FluentActions.Invoking(() => PsCommand.Filter("USER COMMAND\nroot init\n", new HashSet<int>()))
            .Should().Throw<RuntimeError>().WithMessage("couldn't find PID field in ps output");

    [Fact]
    public void Stats_events_have_runcs_shape()
    {
        var stats = new CgroupStats();
        stats.Memory.Raw = new Dictionary<string, ulong> { ["rss"] = 3, ["cache"] = 1, ["active_anon"] = 2 };
        stats.Cpu.Usage.Percpu = new List<ulong>();
        stats.Blkio.IoServiceBytesRecursive = new List<BlkioEntry>();
        stats.Pids.Current = 7;

        string line = System.Text.Encoding.UTF8.GetString(EventLine.Stats("a+b", stats));

        line.Should().EndWith("}\n").And.NotContain("\n{", "one event, one line");
        line.Should().StartWith("{\"type\":\"stats\",\"id\":\"a+b\",\"data\":{\"cpu\":");
        using var doc = JsonDocument.Parse(line);
        var data = doc.RootElement.GetProperty("data");
        data.EnumerateObject().Select(p => p.Name).Should().Equal("cpu", "cpuset", "memory", "pids", "blkio", "hugetlb", "intel_rdt", "network_interfaces");
        data.GetProperty("memory").GetProperty("raw").EnumerateObject().Select(p => p.Name).Should().Equal("active_anon", "cache", "rss");
        data.GetProperty("cpu").GetProperty("usage").TryGetProperty("percpu", out _).Should().BeFalse("empty lists are omitempty in runc");
        data.GetProperty("blkio").EnumerateObject().Should().BeEmpty();
        data.GetProperty("hugetlb").ValueKind.Should().Be(JsonValueKind.Object);
        data.GetProperty("intel_rdt").EnumerateObject().Should().BeEmpty();
        data.GetProperty("network_interfaces").ValueKind.Should().Be(JsonValueKind.Null);
        data.GetProperty("pids").GetProperty("current").GetUInt64().Should().Be(7);
    }

    [Fact]
    public void An_oom_event_has_no_data() =>
        System.Text.Encoding.UTF8.GetString(EventLine.Oom("c1")).Should().Be("{\"type\":\"oom\",\"id\":\"c1\"}\n");
}
