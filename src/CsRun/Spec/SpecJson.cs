using System.Text.Json.Serialization;

namespace CsRun.Spec;

/// <summary>Source-generated (reflection-free) JSON for the spec model: NativeAOT needs it.</summary>
[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = true,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip,
    AllowTrailingCommas = true)]
[JsonSerializable(typeof(Config))]
[JsonSerializable(typeof(Resources))]
[JsonSerializable(typeof(Process))]
public partial class SpecJson : JsonSerializerContext
{
}
