using System.Buffers;
using System.Text;
using System.Text.Json;

namespace CsRun.Spec;

// The reader's steps: one JSON value each, or a WrongValue naming where it starts and the rule
// (the words csrun has always given: the rule follows from the property's type).
internal static partial class FastConfigReader
{
    const string MustBeObject = "must be an object";
    const string MustBeObjects = "must be an array of objects";
    const string MustBeStrings = "must be an array of strings";
    const string MustBeStringMap = "must be an object with string values";
    const string MustBeNumbers = "must be an array of numbers";
    const string MustBeString = "must be a string";
    const string MustBeBoolean = "must be a boolean";
    const string MustBeNumber = "must be a number";
    const string U16Range = "must be an integer from 0 to 65535";
    const string U32Range = "must be an integer from 0 to 4294967295";
    const string I32Range = "must be an integer from -2147483648 to 2147483647";
    const string U64Range = "must be an integer from 0 to 18446744073709551615";
    const string I64Range = "must be an integer from -9223372036854775808 to 9223372036854775807";

    static WrongValue Wrong(ref Utf8JsonReader r, string rule) => new(r.TokenStartIndex, rule);

    static void StartObject(ref Utf8JsonReader r)
    {
        if (r.TokenType != JsonTokenType.StartObject) throw Wrong(ref r, MustBeObject);
    }

    /// <summary>At the start of an object or after a value: moves to the next property and
    /// its value, false at the object's end. The name, lower-cased ASCII, goes to
    /// <paramref name="name"/>[..<paramref name="length"/>]; a name too long or not ASCII
    /// (which no name of the model matches, even case-insensitively) is length 0, unknown.
    /// A name that is no text (an escaped lone surrogate) is the object's error.</summary>
    static bool Prop(ref Utf8JsonReader r, scoped Span<char> name, out int length)
    {
        length = 0;
        r.Read();
        if (r.TokenType == JsonTokenType.EndObject) return false;
        if (!r.ValueIsEscaped)
        {
            if (Ascii.ToLower(r.ValueSpan, name, out length) != OperationStatus.Done) length = 0;
        }
        else
        {
            string s = Text(ref r) ?? throw Wrong(ref r, MustBeObject); // the name's error is its object's
            if (Ascii.ToLower(s, name, out length) != OperationStatus.Done) length = 0;
        }
        r.Read();
        return true;
    }

    /// <summary>The string token as text; null if it is none (a lone surrogate, bytes that are not UTF-8).</summary>
    static string? Text(ref Utf8JsonReader r)
    {
        try { return r.GetString(); }
        catch (InvalidOperationException) { return null; }
    }

    static T? Opt<T>(ref Utf8JsonReader r, ReadFn<T> read) where T : class =>
        r.TokenType == JsonTokenType.Null ? null : read(ref r);

    /// <summary>An array of objects; a null element is kept (NullElements words that error).</summary>
    static List<T>? OptList<T>(ref Utf8JsonReader r, ReadFn<T> read) where T : class
    {
        if (r.TokenType == JsonTokenType.Null) return null;
        if (r.TokenType != JsonTokenType.StartArray) throw Wrong(ref r, MustBeObjects);
        var list = new List<T>();
        while (r.Read() && r.TokenType != JsonTokenType.EndArray) list.Add(Opt(ref r, read)!);
        return list;
    }

    static List<uint>? OptU32List(ref Utf8JsonReader r)
    {
        if (r.TokenType == JsonTokenType.Null) return null;
        if (r.TokenType != JsonTokenType.StartArray) throw Wrong(ref r, MustBeNumbers);
        var list = new List<uint>();
        while (r.Read() && r.TokenType != JsonTokenType.EndArray) list.Add(U32(ref r));
        return list;
    }

    /// <summary>An array of strings only (System.Text.Json would have put a null in): any flaw is
    /// the whole list's error.</summary>
    static List<string> StrList(ref Utf8JsonReader r)
    {
        long start = r.TokenStartIndex;
        if (r.TokenType != JsonTokenType.StartArray) throw new WrongValue(start, MustBeStrings);
        var list = new List<string>();
        while (r.Read() && r.TokenType != JsonTokenType.EndArray)
            list.Add((r.TokenType == JsonTokenType.String ? Text(ref r) : null) ?? throw new WrongValue(start, MustBeStrings));
        return list;
    }

    static List<string>? OptStrList(ref Utf8JsonReader r) => r.TokenType == JsonTokenType.Null ? null : StrList(ref r);

    /// <summary>An object of string values only (annotations, sysctl, unified), the last of a key
    /// wins; any flaw is the whole map's error.</summary>
    static Dictionary<string, string>? OptStrMap(ref Utf8JsonReader r)
    {
        if (r.TokenType == JsonTokenType.Null) return null;
        long start = r.TokenStartIndex;
        if (r.TokenType != JsonTokenType.StartObject) throw new WrongValue(start, MustBeStringMap);
        var map = new Dictionary<string, string>();
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            string key = Text(ref r) ?? throw new WrongValue(start, MustBeStringMap);
            r.Read();
            map[key] = (r.TokenType == JsonTokenType.String ? Text(ref r) : null) ?? throw new WrongValue(start, MustBeStringMap);
        }
        return map;
    }

    /// <summary>A map of objects, as System.Text.Json's dictionary reads it: the last of a key
    /// wins, a null value is kept.</summary>
    static Dictionary<string, T>? OptMap<T>(ref Utf8JsonReader r, ReadFn<T> read) where T : class
    {
        if (r.TokenType == JsonTokenType.Null) return null;
        long start = r.TokenStartIndex;
        if (r.TokenType != JsonTokenType.StartObject) throw new WrongValue(start, MustBeObject);
        var map = new Dictionary<string, T>();
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            string key = Text(ref r) ?? throw new WrongValue(start, MustBeObject);
            r.Read();
            map[key] = Opt(ref r, read)!;
        }
        return map;
    }

    static string Str(ref Utf8JsonReader r) =>
        (r.TokenType == JsonTokenType.String ? Text(ref r) : null) ?? throw Wrong(ref r, MustBeString);

    static string? OptStr(ref Utf8JsonReader r) => r.TokenType == JsonTokenType.Null ? null : Str(ref r);

    static bool Bool(ref Utf8JsonReader r) => r.TokenType switch
    {
        JsonTokenType.True => true,
        JsonTokenType.False => false,
        _ => throw Wrong(ref r, MustBeBoolean),
    };

    static bool? OptBool(ref Utf8JsonReader r) => r.TokenType == JsonTokenType.Null ? null : Bool(ref r);

    // Numbers through the reader's own TryGet methods: System.Text.Json's converters call the
    // same parsers (GetUInt32 ...), so what one accepts the other does. A number that does not
    // fit is out of range; anything else is not a number.
    static WrongValue NotInteger(ref Utf8JsonReader r, string range) =>
        Wrong(ref r, r.TokenType == JsonTokenType.Number ? range : MustBeNumber);

    static uint U32(ref Utf8JsonReader r) => r.TokenType == JsonTokenType.Number && r.TryGetUInt32(out uint v) ? v : throw NotInteger(ref r, U32Range);
    static uint? OptU32(ref Utf8JsonReader r) => r.TokenType == JsonTokenType.Null ? null : U32(ref r);
    static int I32(ref Utf8JsonReader r) => r.TokenType == JsonTokenType.Number && r.TryGetInt32(out int v) ? v : throw NotInteger(ref r, I32Range);
    static int? OptI32(ref Utf8JsonReader r) => r.TokenType == JsonTokenType.Null ? null : I32(ref r);
    static ulong U64(ref Utf8JsonReader r) => r.TokenType == JsonTokenType.Number && r.TryGetUInt64(out ulong v) ? v : throw NotInteger(ref r, U64Range);
    static ulong? OptU64(ref Utf8JsonReader r) => r.TokenType == JsonTokenType.Null ? null : U64(ref r);
    static long I64(ref Utf8JsonReader r) => r.TokenType == JsonTokenType.Number && r.TryGetInt64(out long v) ? v : throw NotInteger(ref r, I64Range);
    static long? OptI64(ref Utf8JsonReader r) => r.TokenType == JsonTokenType.Null ? null : I64(ref r);
    static ushort U16(ref Utf8JsonReader r) => r.TokenType == JsonTokenType.Number && r.TryGetUInt16(out ushort v) ? v : throw NotInteger(ref r, U16Range);
    static ushort? OptU16(ref Utf8JsonReader r) => r.TokenType == JsonTokenType.Null ? null : U16(ref r);
}
