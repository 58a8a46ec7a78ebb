using System.Text;
using CsRun.Spec;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Spec;

/// <summary>The hand-written writer's bytes are the serializer's (reflection-based here, with
/// the options the source-generated context had), indented as `csrun spec` writes and compact
/// as state.json embeds it.</summary>
public class ConfigWriterTests
{
    static void WritesWhatTheSerializerWrites(Config c)
    {
        Encoding.UTF8.GetString(ConfigWriter.Indented(c)).Should().Be(Encoding.UTF8.GetString(ReflectionJson.Serialize(c, indented: true)));
        Encoding.UTF8.GetString(ConfigWriter.Compact(c)).Should().Be(Encoding.UTF8.GetString(ReflectionJson.Serialize(c, indented: false)));
    }

    public static TheoryData<string> AllFixtures()
    {
        var data = new TheoryData<string>();
        foreach (var folder in new[] { "valid", "schema-only" })
            foreach (var f in Fixtures.In(folder)) data.Add($"{folder}/{Path.GetFileName(f)}");
        return data;
    }

    [Theory]
    [MemberData(nameof(AllFixtures))]
    public void Fixtures_are_written_as_the_serializer_writes_them(string name) =>
        WritesWhatTheSerializerWrites(ConfigLoader.Load(Fixtures.PathOf(name)));

    [Fact]
    public void A_config_with_every_property_set_is_written_as_the_serializer_writes_it() =>
        WritesWhatTheSerializerWrites(FullConfig.Create());

    [Fact]
    public void Nothing_set_writes_only_the_members_that_cannot_be_null() =>
        WritesWhatTheSerializerWrites(new Config());

    [Fact]
    public void Null_elements_of_lists_and_maps_are_written_as_null()
    {
        var c = new Config
        {
            Process = new ProcessConfig { Args = new() { "a", null! }, Rlimits = new() { null! } },
            Mounts = new() { null!, new MountEntry() },
            Annotations = new() { ["k"] = null! },
            Linux = new LinuxConfig
            {
                NetDevices = new() { ["eth0"] = null! },
                TimeOffsets = new() { ["boottime"] = null! },
                Resources = new Resources { Rdma = new() { ["x"] = null! }, Devices = new() { null! } },
            },
        };
        WritesWhatTheSerializerWrites(c);
    }

    [Fact]
    public void Every_property_of_the_model_is_set_somewhere_in_the_full_config()
    {
        var all = new SortedSet<string>();
        var set = new SortedSet<string>();
        ModelTree.Walk(FullConfig.Create(), property: (name, isSet) =>
        {
            all.Add(name);
            if (isSet) set.Add(name);
        });
        all.Except(set).Should().BeEmpty("a property FullConfig never sets would go untested");
        all.Should().HaveCountGreaterThan(150);
    }
}
