namespace CsRun.Generators;

/// <summary>Read{Type} for each model type: the property names lower-cased in one switch (the
/// reader matches names case-insensitively), each value through the FastConfigReader helper its
/// type calls for; unknown names are skipped.</summary>
internal static class ReaderEmitter
{
    public static readonly Emitter Emitter = new(Head, Line, """
                        default: r.Skip(); break;
                    }
                return o;
            }

        """);

    static string Head(ModelType t) => $$"""

            static {{t.FullName}} Read{{t.Name}}(ref global::System.Text.Json.Utf8JsonReader r)
            {
                StartObject(ref r);
                var o = new {{t.FullName}}();
                global::System.Span<char> k = stackalloc char[NameMax];
                while (Prop(ref r, k, out int n))
                    switch (k[..n])
                    {

        """;

    static string Line(ModelProperty p) => $"                case \"{p.Json.ToLowerInvariant()}\": o.{p.Name} = {Value(p)}; break;\n";

    static string Value(ModelProperty p)
    {
        string opt = p.Nullable ? "Opt" : "";
        return p.Kind switch
        {
            ValueKind.String => $"{opt}Str(ref r)",
            ValueKind.Boolean => $"{opt}Bool(ref r)",
            ValueKind.Number => $"{opt}{p.Number}(ref r)",
            ValueKind.StringList => $"{opt}StrList(ref r)",
            ValueKind.NumberList => $"Opt{p.Number}List(ref r)",
            ValueKind.ObjectList => $"OptList(ref r, Read{p.Element})",
            ValueKind.StringMap => "OptStrMap(ref r)",
            ValueKind.ObjectMap => $"OptMap(ref r, Read{p.Element})",
            ValueKind.Object => p.Nullable ? $"Opt(ref r, Read{p.Element})" : $"Read{p.Element}(ref r)",
            _ => $"{p.Custom}(ref r)",
        };
    }
}
