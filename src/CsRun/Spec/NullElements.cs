using System.Text;
using System.Text.Json;

namespace CsRun.Spec;

/// <summary>
/// No array in config.json may hold null (Go would read it as an empty value; for us it would be
/// a missing object deep inside the model). One pass with the reader finds the first, with its path.
/// </summary>
internal static class NullElements
{
    public static string? FirstPath(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var path = new List<(string? Name, int Index)>();
        string? pendingName = null;
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        pendingName = reader.GetString();
                        continue;
                    case JsonTokenType.StartObject:
                    case JsonTokenType.StartArray:
                        Advance(path);
                        path.Add((pendingName, reader.TokenType == JsonTokenType.StartArray ? 0 : -1));
                        break;
                    case JsonTokenType.EndObject:
                    case JsonTokenType.EndArray:
                        path.RemoveAt(path.Count - 1);
                        break;
                    case JsonTokenType.Null when path.Count > 0 && path[^1].Index >= 0:
                        return Describe(path);
                    default:
                        Advance(path);
                        break;
                }
                pendingName = null;
            }
        }
        catch (JsonException)
        {
            return null; // malformed: the reader has said so already
        }
        return null;
    }

    /// <summary>A value was read: inside an array that moves the element index on.</summary>
    static void Advance(List<(string? Name, int Index)> path)
    {
        if (path.Count > 0 && path[^1].Index >= 0) path[^1] = (path[^1].Name, path[^1].Index + 1);
    }

    static string Describe(List<(string? Name, int Index)> path)
    {
        // The element index of the innermost array is the null's own position; earlier arrays
        // count elements already passed, so step back one for those.
        var result = new StringBuilder();
        for (int i = 1; i < path.Count; i++)
        {
            var (name, index) = path[i];
            if (name != null) result.Append(result.Length > 0 ? "." : "").Append(name);
            if (index >= 0) result.Append('[').Append(i == path.Count - 1 ? index : index - 1).Append(']');
        }
        return result.ToString();
    }
}
