using System.Text.Json;

namespace CsRun.Container;

/// <summary>The "annotations" member of the states csrun prints: left out when null, like the serializer's WhenWritingNull.</summary>
internal static class AnnotationsJson
{
    public static void Write(Utf8JsonWriter w, Dictionary<string, string>? annotations)
    {
        if (annotations == null) return;
        w.WriteStartObject("annotations");
        foreach (var (key, value) in annotations) w.WriteString(key, value);
        w.WriteEndObject();
    }
}
