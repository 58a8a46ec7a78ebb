using System.Text.Json;
using System.Text.Json.Nodes;
using CsRun.Errors;
using CsRun.Spec;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Spec;

/// <summary>The real configs in spec-fixtures/ (see its README for where each came from).</summary>
public class FixtureTests
{
    static readonly ValidationOptions Pure = new() { CheckHost = false };

    public static TheoryData<string> Valid() => Names("valid");
    public static TheoryData<string> SchemaOnly() => Names("schema-only");

    static TheoryData<string> Names(string folder)
    {
        var data = new TheoryData<string>();
        foreach (var f in Fixtures.In(folder)) data.Add($"{folder}/{Path.GetFileName(f)}");
        return data;
    }

    static byte[] Serialize(Config c) => ReferenceJson.SerializeToUtf8Bytes(c);

    [Fact]
    public void There_are_fixtures_from_every_source()
    {
        var names = Fixtures.In("valid").Select(f => "valid/" + Path.GetFileName(f)).ToList();
        foreach (var source in new[] { "runc-", "runtime-spec-", "podman-", "containerd-" })
            names.Should().Contain(n => n.StartsWith("valid/" + source));
    }

    [Theory]
    [MemberData(nameof(Valid))]
    public void Valid_fixtures_parse_and_validate(string name)
    {
        var c = ConfigLoader.Load(Fixtures.PathOf(name));
        var act = () => ConfigValidator.Validate(c, Fixtures.Root, Pure);
        act.Should().NotThrow();
    }

    [Theory]
    [MemberData(nameof(Valid))]
    [MemberData(nameof(SchemaOnly))]
    public void Fixtures_round_trip(string name)
    {
        var first = ConfigLoader.Load(Fixtures.PathOf(name));
        byte[] json = Serialize(first);
        var second = ConfigLoader.Parse(json);
        second.Should().BeEquivalentTo(first, o => o.ComparingRecordsByMembers().WithStrictOrdering());
        Serialize(second).Should().Equal(json);
    }

    /// <summary>Fields the model does not have are dropped on read; in these configs the only
    /// ones are those the spec itself no longer defines.</summary>
    [Theory]
    [MemberData(nameof(Valid))]
    [MemberData(nameof(SchemaOnly))]
    public void The_model_keeps_every_field_but_retired_ones(string name)
    {
        var original = JsonNode.Parse(File.ReadAllBytes(Fixtures.PathOf(name)))!;
        var ours = JsonNode.Parse(Serialize(ConfigLoader.Load(Fixtures.PathOf(name))))!;
        var dropped = new SortedSet<string>();
        Dropped(original, ours, "", dropped);
        var retired = name == "valid/runtime-spec-schema-spec-example.json"
            ? new[] { "linux.resources.oomScoreAdj" } // moved to process.oomScoreAdj in 1.0.0-rc6
            : Array.Empty<string>();
        dropped.Should().BeEquivalentTo(retired);
    }

    static void Dropped(JsonNode? original, JsonNode? ours, string path, ISet<string> dropped)
    {
        if (original is JsonObject o)
        {
            foreach (var (key, value) in o)
            {
                string child = path.Length == 0 ? key : $"{path}.{key}";
                if (value == null) continue;
                var theirs = ours as JsonObject;
                if (theirs == null || !theirs.TryGetPropertyValue(key, out var mine)) dropped.Add(child);
                else Dropped(value, mine, child, dropped);
            }
        }
        else if (original is JsonArray a && ours is JsonArray b)
        {
            for (int i = 0; i < a.Count && i < b.Count; i++) Dropped(a[i], b[i], path, dropped);
        }
    }

    public static readonly TheoryData<string, string?> SchemaOnlyOutcome = new()
    {
        { "schema-only/runtime-spec-schema-minimal.json", null },
        { "schema-only/runtime-spec-schema-linux-rdma.json", null },
        { "schema-only/runtime-spec-schema-linux-netdevice.json", "linux.netDevices: requires a network namespace (linux.namespaces has no \"network\")" },
    };

    /// <summary>The schema's fixtures have no process (it is only required at start); given
    /// one, they pass or fail on the rule they exist to show.</summary>
    [Theory]
    [MemberData(nameof(SchemaOnlyOutcome))]
    public void Schema_only_fixtures_need_a_process(string name, string? message)
    {
        var c = ConfigLoader.Load(Fixtures.PathOf(name));
        var act = () => ConfigValidator.Validate(c, Fixtures.Root, Pure);
        act.Should().Throw<RuntimeError>().WithMessage("process: must be set");

        c.Process = new ProcessConfig { Args = new() { "sh" }, Cwd = "/" };
        if (message == null) act.Should().NotThrow();
        else act.Should().Throw<RuntimeError>().Which.Message.Should().Be(message);
    }

    public static readonly TheoryData<string, string> InvalidOutcome = new()
    {
        { "invalid/runtime-spec-schema-bad-invalid-json.json", "invalid JSON at line 1, column 2" },
        { "invalid/runtime-spec-schema-bad-linux-netdevice.json", "linux.netDevices.eth0.name: must be a string" },
        { "invalid/runtime-spec-schema-bad-linux-rdma.json", "linux.resources.rdma.mlx5_1.hcaHandles: must be a number" },
        { "invalid/runtime-spec-schema-bad-linux-hugepage.json", "linux.resources.hugepageLimits[0].pageSize: must be a size such as 2MB or 1GB (got \"64kB\")" },
    };

    [Theory]
    [MemberData(nameof(InvalidOutcome))]
    public void Invalid_fixtures_fail_with_exact_messages(string name, string message)
    {
        var act = () =>
        {
            var c = ConfigLoader.Load(Fixtures.PathOf(name));
            c.Process ??= new ProcessConfig { Args = new() { "sh" }, Cwd = "/" };
            ConfigValidator.Validate(c, Fixtures.Root, Pure);
        };
        act.Should().Throw<RuntimeError>().Which.Message.Should().Be(message);
    }

    [Fact]
    public void Every_invalid_fixture_has_an_expected_message()
    {
        Fixtures.In("invalid").Select(f => "invalid/" + Path.GetFileName(f))
            .Should().BeEquivalentTo(((IEnumerable<object?[]>)InvalidOutcome).Select(row => (string)row[0]!));
    }
}
