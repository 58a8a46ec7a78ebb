using System.Collections.Immutable;
using CsRun.Generators;
using FluentAssertions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace CsRun.Tests.Spec;

/// <summary>The generator that writes FastConfigReader's and ConfigWriter's per-type code
/// (src/CsRun.Generators), run on a small model: a field is one property in its record.</summary>
public class SpecJsonGeneratorTests
{
    const string Model = """
        using System.Collections.Generic;
        using System.Text.Json.Serialization;
        namespace CsRun.Spec;

        [GenerateJsonReader(typeof(Top))]
        internal static partial class Reader { }

        [GenerateJsonWriter(typeof(Top))]
        internal static partial class Writer { }

        public sealed record Top
        {
            [JsonPropertyName("name")] public string Name { get; set; } = "";
            [JsonPropertyName("newField")] public List<uint>? NewField { get; set; }
            [JsonPropertyName("inner")] public Inner? Inner { get; set; }
            [JsonPropertyName("byName")] public Dictionary<string, Inner>? ByName { get; set; }
        }

        public sealed record Inner
        {
            [JsonPropertyName("limitMB")] public long? LimitMb { get; set; }
            [JsonPropertyName("on")] public bool On { get; set; }
        }
        """;

    static (string Reader, string Writer, ImmutableArray<Diagnostic> Diagnostics) Run(string source)
    {
        var references = AppDomain.CurrentDomain.GetAssemblies()
            .Where(a => !a.IsDynamic && a.Location.Length > 0)
            .Select(a => MetadataReference.CreateFromFile(a.Location));
        var compilation = CSharpCompilation.Create("model", new[] { CSharpSyntaxTree.ParseText(source) }, references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        var driver = CSharpGeneratorDriver.Create(new SpecJsonGenerator()).RunGenerators(compilation);
        var result = driver.GetRunResult().Results.Single();
        string Text(string hint) => result.GeneratedSources.SingleOrDefault(s => s.HintName == hint).SourceText?.ToString() ?? "";
        return (Text("Reader.Reader.g.cs"), Text("Writer.Writer.g.cs"), result.Diagnostics);
    }

    [Fact]
    public void A_new_field_is_read_and_written_from_its_property_alone()
    {
        var (reader, writer, diagnostics) = Run(Model);
        diagnostics.Should().BeEmpty();
        reader.Should().Contain("case \"newfield\": o.NewField = OptU32List(ref r); break;");
        writer.Should().Contain("Numbers(w, \"newField\"u8, o.NewField);");
    }

    [Fact]
    public void Each_type_picks_its_helper_and_nested_types_are_reached()
    {
        var (reader, writer, _) = Run(Model);
        reader.Should().Contain("case \"name\": o.Name = Str(ref r); break;")
            .And.Contain("case \"inner\": o.Inner = Opt(ref r, ReadInner); break;")
            .And.Contain("case \"byname\": o.ByName = OptMap(ref r, ReadInner); break;")
            .And.Contain("case \"limitmb\": o.LimitMb = OptI64(ref r); break;")
            .And.Contain("case \"on\": o.On = Bool(ref r); break;");
        writer.Should().Contain("Object(w, \"inner\"u8, o.Inner, WriteInner);")
            .And.Contain("Map(w, \"byName\"u8, o.ByName, WriteInner);")
            .And.Contain("Number(w, \"limitMB\"u8, o.LimitMb);");
    }

    [Fact]
    public void A_type_no_rule_covers_is_a_build_error_naming_the_property()
    {
        var (_, _, diagnostics) = Run(Model.Replace("public bool On { get; set; }", "public System.DateTime On { get; set; }"));
        diagnostics.Select(d => (d.Id, d.GetMessage())).Should().Contain(("CSRUNGEN001",
            "Inner.On: no rule reads or writes System.DateTime; give it [JsonReadWith] and [JsonWriteWith]"));
    }

    [Fact]
    public void A_special_case_calls_its_hand_written_method()
    {
        var (reader, writer, diagnostics) = Run(Model.Replace("[JsonPropertyName(\"on\")] public bool On",
            "[JsonPropertyName(\"on\"), JsonReadWith(\"ReadWhen\"), JsonWriteWith(\"WriteWhen\")] public System.DateTime On"));
        diagnostics.Should().BeEmpty();
        reader.Should().Contain("case \"on\": o.On = ReadWhen(ref r); break;");
        writer.Should().Contain("WriteWhen(w, \"on\"u8, o.On);");
    }
}
