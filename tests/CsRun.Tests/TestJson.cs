using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace CsRun.Tests;

/// <summary>
/// Reflection-based JSON for the spec model, for writing test bundles and reading test data.
/// csrun itself carries no serializer (its reader and writers are hand-written), so tests that
/// compare against System.Text.Json use these options: the ones csrun's source-generated
/// context had (case-insensitive names, comments and trailing commas, nulls not written).
/// </summary>
internal static class TestJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
        PropertyNameCaseInsensitive = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
    };

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static T Deserialize<T>(string json) => JsonSerializer.Deserialize<T>(json, Options)!;
}
