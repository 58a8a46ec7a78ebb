using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using CsRun.Cgroups;
using CsRun.Container;
using CsRun.Tests.Container;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Cgroups;

/// <summary>
/// Stats events written by hand are byte for byte what csrun printed when it serialized the
/// stats, parsed them back and rewrote them in runc's shape; that old path is rebuilt here with
/// reflection so the test outlives the source-generated context.
/// </summary>
public class StatsWriterTests
{
    // Stats strings are decoded from cgroup files, so they never hold a lone surrogate. For one, the
    // old path printed U+FFFD as is and the writer prints the \uFFFD escape: the same JSON string.
    static readonly string[] Awkward = StateWritersTests.Awkward.Where(s => Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(s)) == s).ToArray();

    [Fact]
    public void Every_member_set()
    {
        var text = string.Concat(Awkward);
        var stats = Full(text);
        Check("c+" + text, stats);
    }

    [Fact]
    public void Zeros_nulls_and_empties()
    {
        Check("c1", new CgroupStats());
        var empties = new CgroupStats
        {
            Cpu = { Usage = { Percpu = new(), PercpuKernel = new(), PercpuUser = new() } },
            Cpuset = { Cpus = new(), Mems = new() },
            Memory = { Raw = new() },
            Blkio = { IoServiceBytesRecursive = new(), IoTimeRecursive = new(), SectorsRecursive = new() },
        };
        Check("c1", empties);
    }

    [Fact]
    public void Awkward_strings_in_keys_ops_and_ids()
    {
        foreach (var text in Awkward)
            Check(text, Full(text));
    }

    [Fact]
    public void An_entry_with_only_zeros_stays_an_empty_object_in_its_list()
    {
        var stats = new CgroupStats { Blkio = { IoMergedRecursive = new() { new BlkioEntry(), new BlkioEntry { Op = "" } } } };
        Check("c1", stats);
    }

    static CgroupStats Full(string text)
    {
        ulong n = 1;
        MemoryEntry Entry() => new() { Limit = ulong.MaxValue - n++, Usage = n++, Max = n++, Failcnt = n++ };
        List<BlkioEntry> Blkio() => new()
        {
            new() { Major = 8, Minor = n++, Op = "Read", Value = n++ },
            new() { Major = 254, Minor = 0, Op = text, Value = 0 },
            new() { Major = 0, Minor = 0, Op = null, Value = n++ },
        };
        return new CgroupStats
        {
            Cpu = new()
            {
                Usage = new() { Total = n++, Percpu = new() { 1, 0, ulong.MaxValue }, PercpuKernel = new() { 3 }, PercpuUser = new() { 4, 5 }, Kernel = n++, User = n++ },
                Throttling = new() { Periods = n++, ThrottledPeriods = n++, ThrottledTime = n++ },
            },
            Cpuset = new()
            {
                Cpus = new() { 0, 1, 2, ushort.MaxValue }, CpuExclusive = 1, Mems = new() { 0 }, MemHardwall = n++, MemExclusive = n++,
                MemoryMigrate = n++, MemorySpreadPage = n++, MemorySpreadSlab = n++, MemoryPressure = n++, SchedLoadBalance = 1,
                SchedRelaxDomainLevel = -1,
            },
            Memory = new()
            {
                Cache = n++, Usage = Entry(), Swap = Entry(), Kernel = Entry(), KernelTcp = Entry(),
                Raw = new() { ["rss"] = 3, ["cache"] = 1, ["active_anon"] = 2, ["Zeta"] = 0, [text] = 9, ["é"] = 7, ["z+<"] = 8 },
            },
            Pids = new() { Current = n++, Limit = n++ },
            Blkio = new()
            {
                IoServiceBytesRecursive = Blkio(), IoServicedRecursive = Blkio(), IoQueuedRecursive = Blkio(), IoServiceTimeRecursive = Blkio(),
                IoWaitTimeRecursive = Blkio(), IoMergedRecursive = Blkio(), IoTimeRecursive = Blkio(), SectorsRecursive = Blkio(),
            },
            Hugetlb = new()
            {
                ["2MB"] = new() { Usage = n++, Max = n++, Failcnt = n++ },
                ["1GB"] = new(),
                ["64KB"] = new() { Failcnt = 1 },
                [text] = new() { Usage = 5 },
            },
        };
    }

    static void Check(string id, CgroupStats stats) =>
        Encoding.UTF8.GetString(EventLine.Stats(id, stats)).Should().Be(Encoding.UTF8.GetString(OldEvent(id, stats)));

    // The old path: serialize (compact, nulls skipped), parse, rewrite with relaxed escaping.
    static readonly JsonSerializerOptions Serializer = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
    };

    static byte[] OldEvent(string id, CgroupStats stats)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("type", "stats");
            w.WriteString("id", id);
            using var doc = JsonDocument.Parse(JsonSerializer.SerializeToUtf8Bytes(stats, Serializer));
            w.WriteStartObject("data");
            OldWriteMembers(w, doc.RootElement, sorted: false);
            w.WriteStartObject("intel_rdt");
            w.WriteEndObject();
            w.WriteNull("network_interfaces");
            w.WriteEndObject();
            w.WriteEndObject();
        }
        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    static void OldWriteMembers(Utf8JsonWriter w, JsonElement obj, bool sorted)
    {
        var members = obj.EnumerateObject().ToList();
        if (sorted) members.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        foreach (var m in members)
        {
            var v = m.Value;
            bool empty = v.ValueKind == JsonValueKind.Array ? v.GetArrayLength() == 0 : v.ValueKind == JsonValueKind.Object && !v.EnumerateObject().Any();
            if (empty && (v.ValueKind == JsonValueKind.Array || m.Name == "raw")) continue;
            if (v.ValueKind != JsonValueKind.Object)
            {
                m.WriteTo(w);
                continue;
            }
            w.WriteStartObject(m.Name);
            OldWriteMembers(w, v, sorted: m.Name is "raw" or "hugetlb");
            w.WriteEndObject();
        }
    }
}
