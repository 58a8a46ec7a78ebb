using System.Buffers;
using System.Text.Json;

namespace CsRun.Spec;

/// <summary>
/// The spec model written by hand, through the same Utf8JsonWriter the serializer uses, so the
/// bytes are the serializer's (names from [JsonPropertyName], declaration order, nulls left out)
/// without the serializer's start-up cost of rehydrating every type's metadata. Write{Type}
/// for every model type is generated from the records (src/CsRun.Generators) on the helpers of
/// ConfigWriter.Members.cs.
/// </summary>
[GenerateJsonWriter(typeof(Config))]
public static partial class ConfigWriter
{
    /// <summary>`csrun spec`: runc's bytes, tab indentation and no newline at the end (Go's MarshalIndent).</summary>
    public static byte[] Indented(Config c) =>
        ToUtf8(c, new JsonWriterOptions { Indented = true, IndentCharacter = '\t', IndentSize = 1 });

    /// <summary>The config embedded in state.json.</summary>
    public static byte[] Compact(Config c) => ToUtf8(c, default);

    public static byte[] ToUtf8(Config c, JsonWriterOptions options)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var w = new Utf8JsonWriter(buffer, options))
        {
            w.WriteStartObject();
            WriteConfig(w, c);
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}
