namespace CsRun.Generators;

/// <summary>Write{Type} for each model type: its members in declaration order under their JSON
/// names, each through the ConfigWriter helper its type calls for (which leave a null out).</summary>
internal static class WriterEmitter
{
    public static readonly Emitter Emitter = new(Head, Line, "    }\n");

    static string Head(ModelType t) => $$"""

            static void Write{{t.Name}}(global::System.Text.Json.Utf8JsonWriter w, {{t.FullName}} o)
            {

        """;

    static string Line(ModelProperty p) => $"        {Call(p)}(w, \"{p.Json}\"u8, o.{p.Name}{Members(p)});\n";

    static string Call(ModelProperty p) => p.Kind switch
    {
        ValueKind.String => "String",
        ValueKind.Boolean => "Boolean",
        ValueKind.Number => "Number",
        ValueKind.StringList => "Strings",
        ValueKind.NumberList => "Numbers",
        ValueKind.ObjectList => "List",
        ValueKind.StringMap => "StringMap",
        ValueKind.ObjectMap => "Map",
        ValueKind.Object => "Object",
        _ => p.Custom,
    };

    static string Members(ModelProperty p) => p.Element.Length > 0 ? $", Write{p.Element}" : "";
}
