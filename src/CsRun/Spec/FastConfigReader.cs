using System.Text.Json;
using CsRun.Errors;

namespace CsRun.Spec;

/// <summary>
/// config.json read by hand with Utf8JsonReader, without System.Text.Json's serializer (its
/// metadata for the whole spec model costs every csrun process CPU and memory at start,
/// bench/README.md). It reads what that serializer read with the options csrun gave it
/// (tests/CsRun.Tests/Spec/ReferenceJson.cs holds it to them): names match
/// case-insensitively (a non-ASCII name matches none of ours), unknown properties are skipped,
/// comments and trailing commas are allowed, the last of a repeated property or map key wins, a
/// null inside an array of objects or as a map value is kept (NullElements words the former).
/// A value of the wrong kind is an error in the serializer's words: the JSON path where it
/// starts and the rule it breaks ("process.args: must be an array of strings"); bad JSON is
/// "invalid JSON at line L, column C". The path is worked out only then (<see cref="JsonPathAt"/>),
/// so a good config costs nothing for it.
/// tests/CsRun.Tests/Spec/ConfigErrorMessagesTests.cs holds the words.
/// Read{Type} for every model type is generated from the records (src/CsRun.Generators): one
/// switch on the lower-cased names, each value through the helper of FastConfigReader.Values.cs
/// its C# type calls for.
/// </summary>
[GenerateJsonReader(typeof(Config))]
internal static partial class FastConfigReader
{
    /// <summary>The longest property name of the model is shorter; a longer name is unknown.</summary>
    const int NameMax = 32;

    static readonly JsonReaderOptions Options = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    /// <summary>The value that starts at byte <paramref name="Offset"/> breaks <paramref name="Rule"/>.</summary>
    sealed class WrongValue(long offset, string rule) : Exception
    {
        public long Offset { get; } = offset;
        public string Rule { get; } = rule;
    }

    delegate T ReadFn<T>(ref Utf8JsonReader r);

    /// <summary>config.json; null for a JSON null. Errors are RuntimeErrors in the words above.</summary>
    public static Config? ReadConfigJson(ReadOnlySpan<byte> json) => ReadDocument(json, ReadConfig, "config.json");

    /// <summary>The body of `csrun update -r`: errors name paths under "resources".</summary>
    public static Resources? ReadResourcesJson(ReadOnlySpan<byte> json) => ReadDocument(json, ReadResources, "resources");

    /// <summary>The body of `csrun exec --process`: errors name paths under "process".</summary>
    public static ProcessConfig? ReadProcessJson(ReadOnlySpan<byte> json) => ReadDocument(json, ReadProcessConfig, "process");

    /// <summary>The hooks object the reader is at (a state file's config); a wrong value is a JsonException.</summary>
    public static HooksConfig? ReadHooksValue(ref Utf8JsonReader r)
    {
        try
        {
            return Opt(ref r, ReadHooksConfig);
        }
        catch (WrongValue e)
        {
            throw new JsonException($"hooks: {e.Rule}");
        }
    }

    static T? ReadDocument<T>(ReadOnlySpan<byte> json, ReadFn<T> read, string root) where T : class
    {
        var r = new Utf8JsonReader(json, Options);
        try
        {
            r.Read(); // no value at all: the reader throws
            var value = Opt(ref r, read);
            r.Read(); // anything after the value: the reader throws
            return value;
        }
        catch (JsonException e)
        {
            throw new RuntimeError($"invalid JSON at line {e.LineNumber + 1}, column {e.BytePositionInLine + 1}", e);
        }
        catch (WrongValue e)
        {
            string at = JsonPathAt.Find(json, e.Offset, Options);
            throw new RuntimeError($"{(at.Length == 0 ? root : at)}: {e.Rule}");
        }
    }
}
