using System.Text.Json.Serialization;

namespace CsRun.Spec;

/// <summary>
/// Source-generated (reflection-free) JSON for the spec model: NativeAOT needs it.
/// Names match case-insensitively because Go's encoding/json (runc, and every tool that
/// writes config.json) does; a null where the model has no null (process.cwd, root.path) is a
/// JSON error that names the field, where Go would quietly keep the zero value; an array of
/// strings or a string map with a non-string entry is an error too (<see cref="StrictStrings"/>).
/// </summary>
[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = true,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip,
    AllowTrailingCommas = true,
    PropertyNameCaseInsensitive = true,
    RespectNullableAnnotations = true,
    Converters = new[] { typeof(StrictStringList), typeof(StrictStringMap) })]
[JsonSerializable(typeof(Config))]
[JsonSerializable(typeof(Resources))]
[JsonSerializable(typeof(Process))]
public partial class SpecJson : JsonSerializerContext
{
}
