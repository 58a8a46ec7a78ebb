using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using CsRun.Container;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Container;

/// <summary>
/// The hand-written state and hook-state writers print what the serializer printed with the
/// options csrun gave it (reflection here, so the test outlives the source-generated contexts).
/// </summary>
public class StateWritersTests
{
    internal static readonly string[] Awkward =
    {
        "plain", "", "quote \" and backslash \\", "tab\tnewline\nreturn\r", "bell \u0007 nul \0 unit \u001f del \u007f",
        "</script> & 'single' +plus <tag>", "ünïcödé ✓ 容器", "emoji 🐳", "lone \uD800 surrogate", "/path/with spaces/and:colons",
    };

    static JsonSerializerOptions Options(bool indented) => new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = indented,
        TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
    };

    static IEnumerable<Dictionary<string, string>?> AnnotationSets()
    {
        yield return null;
        yield return new Dictionary<string, string>();
        yield return Awkward.Select((a, i) => (a, i)).ToDictionary(p => p.a, p => Awkward[Awkward.Length - 1 - p.i]);
    }

    static IEnumerable<PublicState> PublicStates() =>
        from text in Awkward
        from annotations in AnnotationSets()
        select new PublicState
        {
            OciVersion = "1.2.0", Id = "id+" + text, Pid = text.Length, Status = "running", Bundle = text,
            Rootfs = text, Created = "2026-11-28T00:00:00.123456789Z", Annotations = annotations, Owner = text,
        };

    [Fact]
    public void Public_state_is_the_serializers_indented_output()
    {
        foreach (var s in PublicStates())
            PublicStateJson.Of(s).Should().Be(JsonSerializer.Serialize(s, Options(indented: true)));
    }

    [Fact]
    public void A_list_of_public_states_is_the_serializers_compact_array()
    {
        // runc's list --format json: one line, as json.Encoder writes it.
        var all = PublicStates().ToList();
        foreach (var states in new[] { all.Take(1).ToList(), all })
            PublicStateJson.Of(states).Should().Be(JsonSerializer.Serialize(states, Options(indented: false)));
    }

    [Fact]
    public void Hook_state_is_the_serializers_compact_output()
    {
        foreach (var text in Awkward)
            foreach (var annotations in AnnotationSets())
                foreach (int? pid in new int?[] { null, 0, 4242, int.MaxValue })
                {
                    var s = new HookState { OciVersion = text, Id = "c+" + text, Status = "created", Pid = pid, Bundle = text, Annotations = annotations };
                    Encoding.UTF8.GetString(HookStateJson.Of(s)).Should().Be(JsonSerializer.Serialize(s, Options(indented: false)));
                }
    }
}
