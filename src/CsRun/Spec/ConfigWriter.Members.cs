using System.Text.Json;

namespace CsRun.Spec;

/// <summary>
/// One member of any type, as the serializer with WhenWritingNull writes it: a null member is
/// left out, while a null inside a list or a map is written as null.
/// </summary>
public static partial class ConfigWriter
{
    static void String(Utf8JsonWriter w, ReadOnlySpan<byte> name, string? value)
    {
        if (value != null) w.WriteString(name, value);
    }

    static void Boolean(Utf8JsonWriter w, ReadOnlySpan<byte> name, bool? value)
    {
        if (value is { } b) w.WriteBoolean(name, b);
    }

    // int, uint and ushort widen to long; decimal digits are the same whatever the width.
    static void Number(Utf8JsonWriter w, ReadOnlySpan<byte> name, long? value)
    {
        if (value is { } n) w.WriteNumber(name, n);
    }

    static void Number(Utf8JsonWriter w, ReadOnlySpan<byte> name, ulong? value)
    {
        if (value is { } n) w.WriteNumber(name, n);
    }

    static void Strings(Utf8JsonWriter w, ReadOnlySpan<byte> name, List<string>? values)
    {
        if (values == null) return;
        w.WriteStartArray(name);
        foreach (var s in values) w.WriteStringValue(s);
        w.WriteEndArray();
    }

    static void Numbers(Utf8JsonWriter w, ReadOnlySpan<byte> name, List<uint>? values)
    {
        if (values == null) return;
        w.WriteStartArray(name);
        foreach (uint n in values) w.WriteNumberValue(n);
        w.WriteEndArray();
    }

    /// <summary>Also the "annotations" of the states csrun prints, which are the config's.</summary>
    internal static void StringMap(Utf8JsonWriter w, ReadOnlySpan<byte> name, Dictionary<string, string>? map)
    {
        if (map == null) return;
        w.WriteStartObject(name);
        foreach (var (k, v) in map) w.WriteString(k, v);
        w.WriteEndObject();
    }

    static void Object<T>(Utf8JsonWriter w, ReadOnlySpan<byte> name, T? value, Action<Utf8JsonWriter, T> members) where T : class
    {
        if (value == null) return;
        w.WriteStartObject(name);
        members(w, value);
        w.WriteEndObject();
    }

    static void List<T>(Utf8JsonWriter w, ReadOnlySpan<byte> name, List<T>? items, Action<Utf8JsonWriter, T> members) where T : class
    {
        if (items == null) return;
        w.WriteStartArray(name);
        foreach (var item in items) Element(w, item, members);
        w.WriteEndArray();
    }

    static void Map<T>(Utf8JsonWriter w, ReadOnlySpan<byte> name, Dictionary<string, T>? map, Action<Utf8JsonWriter, T> members) where T : class
    {
        if (map == null) return;
        w.WriteStartObject(name);
        foreach (var (key, value) in map)
        {
            w.WritePropertyName(key);
            Element(w, value, members);
        }
        w.WriteEndObject();
    }

    static void Element<T>(Utf8JsonWriter w, T? value, Action<Utf8JsonWriter, T> members) where T : class
    {
        if (value == null)
        {
            w.WriteNullValue();
            return;
        }
        w.WriteStartObject();
        members(w, value);
        w.WriteEndObject();
    }
}
