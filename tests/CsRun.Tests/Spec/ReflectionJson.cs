using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace CsRun.Tests.Spec;

/// <summary>The serializer as the source-generated spec context had it (nulls left out; tabs
/// when indented, as `csrun spec`), reflection-based so that tests need no context.</summary>
internal static class ReflectionJson
{
    static JsonSerializerOptions Options(bool indented) => new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = indented,
        IndentCharacter = '\t',
        IndentSize = 1,
        TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
    };

    static readonly JsonSerializerOptions IndentedOptions = Options(true);
    static readonly JsonSerializerOptions CompactOptions = Options(false);

    public static byte[] Serialize<T>(T value, bool indented) =>
        JsonSerializer.SerializeToUtf8Bytes(value, indented ? IndentedOptions : CompactOptions);
}
