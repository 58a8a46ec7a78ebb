using System.Text.Json;
using CsRun.Cgroups;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Cgroups;

public class StatParsersTests
{
    [Fact]
    public void Key_value_files_parse_and_skip_odd_lines()
    {
        var map = StatParsers.KeyValues("cache 4096\nrss 8192\nnuma_locality 0 0 0\nmax max\n");

        map.Should().Equal(new Dictionary<string, ulong> { ["cache"] = 4096, ["rss"] = 8192, ["max"] = ulong.MaxValue });
    }

    [Fact]
    public void Cpu_lists_expand() =>
        StatParsers.CpuList("0-2,5,7-8\n").Should().Equal(0, 1, 2, 5, 7, 8);

    [Fact]
    public void Blkio_lines_keep_device_op_and_value_and_drop_the_total()
    {
        var entries = StatParsers.BlkioLines("8:0 Read 1282048\n8:0 Write 2195456\n254:0 6792\nTotal 3477504\n");

        entries.Should().Equal(
            new BlkioEntry { Major = 8, Minor = 0, Op = "Read", Value = 1282048 },
            new BlkioEntry { Major = 8, Minor = 0, Op = "Write", Value = 2195456 },
            new BlkioEntry { Major = 254, Minor = 0, Op = null, Value = 6792 });
    }

    [Fact]
    public void Huge_page_sizes_are_named_like_the_hugetlb_files()
    {
        var sizes = StatParsers.HugePageSizes();

        if (Directory.Exists("/sys/kernel/mm/hugepages/hugepages-2048kB")) sizes.Should().Contain("2MB");
        if (Directory.Exists("/sys/kernel/mm/hugepages/hugepages-1048576kB")) sizes.Should().Contain("1GB");
    }

    [Fact]
    public void Stats_serialize_with_runcs_names_and_omissions()
    {
        var stats = new CgroupStats();
        stats.Cpu.Usage.Total = 5;
        stats.Memory.Usage.Limit = ulong.MaxValue;
        stats.Pids.Current = 1;

        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            StatsWriter.WriteMembers(w, stats);
            w.WriteEndObject();
        }
        using var doc = JsonDocument.Parse(buffer.WrittenMemory);
        var root = doc.RootElement;

        root.GetProperty("cpu").GetProperty("usage").GetProperty("total").GetUInt64().Should().Be(5);
        root.GetProperty("cpu").GetProperty("usage").GetProperty("kernel").GetUInt64().Should().Be(0, "kernel is not omitempty in runc");
        root.GetProperty("cpu").GetProperty("throttling").EnumerateObject().Should().BeEmpty("zero counters are omitted");
        root.GetProperty("memory").GetProperty("usage").GetProperty("limit").GetUInt64().Should().Be(ulong.MaxValue);
        root.GetProperty("memory").TryGetProperty("raw", out _).Should().BeFalse();
        root.GetProperty("pids").GetProperty("current").GetUInt64().Should().Be(1);
        root.GetProperty("pids").TryGetProperty("limit", out _).Should().BeFalse();
        root.GetProperty("hugetlb").EnumerateObject().Should().BeEmpty();
        root.GetProperty("cpuset").GetProperty("cpu_exclusive").GetUInt64().Should().Be(0);
    }
}
