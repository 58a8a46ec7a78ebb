using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace CsRun.Generators;

/// <summary>What a property's C# type is in JSON, which picks the reader and writer helper.</summary>
internal enum ValueKind { String, Boolean, Number, StringList, NumberList, ObjectList, StringMap, ObjectMap, Object, Custom }

/// <summary>One [JsonPropertyName] property. <see cref="Number"/> is the helpers' suffix for a
/// number or a list of numbers (U32, I64...); <see cref="Element"/> the model type of an object,
/// list or map element; <see cref="Custom"/> the [JsonReadWith]/[JsonWriteWith] method.</summary>
internal sealed record ModelProperty(string Name, string Json, ValueKind Kind, bool Nullable, string Number, string Element, string Custom);

internal sealed record ModelType(string Name, string FullName, IReadOnlyList<ModelProperty> Properties);

/// <summary>The model types reachable from the roots, in the order they are first reached.</summary>
internal static class ModelWalk
{
    static readonly Dictionary<SpecialType, string> Numbers = new()
    {
        [SpecialType.System_UInt16] = "U16", [SpecialType.System_Int32] = "I32", [SpecialType.System_UInt32] = "U32",
        [SpecialType.System_Int64] = "I64", [SpecialType.System_UInt64] = "U64",
    };

    public static List<ModelType> From(IEnumerable<INamedTypeSymbol> roots, string customAttribute, List<string> errors)
    {
        var types = new List<ModelType>();
        var seen = new HashSet<string>();
        var queue = new Queue<INamedTypeSymbol>(roots);
        while (queue.Count > 0)
        {
            var type = queue.Dequeue();
            string full = type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
            if (!seen.Add(full)) continue;
            var properties = new List<ModelProperty>();
            foreach (var p in type.GetMembers().OfType<IPropertySymbol>())
            {
                string? json = p.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == Attributes.PropertyName)?.ConstructorArguments[0].Value as string;
                if (json == null) continue;
                if (json.Any(c => c > 127) || json.Length > 32) errors.Add($"{type.Name}.{p.Name}: JSON name \"{json}\" must be ASCII and at most 32 characters (FastConfigReader.NameMax)");
                string custom = p.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == customAttribute)?.ConstructorArguments[0].Value as string ?? "";
                var prop = custom.Length > 0
                    ? new ModelProperty(p.Name, json, ValueKind.Custom, false, "", "", custom)
                    : Classify(p, json, errors);
                if (prop == null) continue;
                if (prop.Element.Length > 0) queue.Enqueue((INamedTypeSymbol)ElementOf(p.Type)!);
                properties.Add(prop);
            }
            var duplicate = properties.GroupBy(p => p.Json.ToLowerInvariant()).FirstOrDefault(g => g.Count() > 1);
            if (duplicate != null) errors.Add($"{type.Name}: two properties are \"{duplicate.Key}\" once case is ignored");
            types.Add(new ModelType(type.Name, full, properties));
        }
        return types;
    }

    static ModelProperty? Classify(IPropertySymbol p, string json, List<string> errors)
    {
        var t = p.Type;
        bool nullable = t.NullableAnnotation == NullableAnnotation.Annotated;
        if (t is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } n)
        {
            t = n.TypeArguments[0];
            nullable = true;
        }
        ModelProperty Make(ValueKind kind, string number = "", string element = "") => new(p.Name, json, kind, nullable, number, element, "");

        if (t.SpecialType == SpecialType.System_String) return Make(ValueKind.String);
        if (t.SpecialType == SpecialType.System_Boolean) return Make(ValueKind.Boolean);
        if (Numbers.TryGetValue(t.SpecialType, out var num)) return Make(ValueKind.Number, num);
        if (t is INamedTypeSymbol named && named.IsGenericType)
        {
            string generic = named.OriginalDefinition.ToDisplayString();
            var args = named.TypeArguments;
            if (generic == "System.Collections.Generic.List<T>")
            {
                if (args[0].SpecialType == SpecialType.System_String) return Make(ValueKind.StringList);
                if (Numbers.TryGetValue(args[0].SpecialType, out var en) && nullable) return Make(ValueKind.NumberList, en);
                if (IsModel(args[0]) && nullable) return Make(ValueKind.ObjectList, element: args[0].Name);
            }
            else if (generic == "System.Collections.Generic.Dictionary<TKey, TValue>" && args[0].SpecialType == SpecialType.System_String && nullable)
            {
                if (args[1].SpecialType == SpecialType.System_String) return Make(ValueKind.StringMap);
                if (IsModel(args[1])) return Make(ValueKind.ObjectMap, element: args[1].Name);
            }
        }
        else if (IsModel(t)) return Make(ValueKind.Object, element: t.Name);
        errors.Add($"{p.ContainingType.Name}.{p.Name}: no rule reads or writes {p.Type.ToDisplayString()}; give it [JsonReadWith] and [JsonWriteWith]");
        return null;
    }

    /// <summary>A class of the model: it has properties with [JsonPropertyName].</summary>
    static bool IsModel(ITypeSymbol t) =>
        t is INamedTypeSymbol { TypeKind: TypeKind.Class, IsGenericType: false } && t.GetMembers().OfType<IPropertySymbol>()
            .Any(p => p.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == Attributes.PropertyName));

    static ITypeSymbol? ElementOf(ITypeSymbol t)
    {
        if (t is INamedTypeSymbol { IsGenericType: true } named) return named.TypeArguments[named.TypeArguments.Length - 1];
        return t.WithNullableAnnotation(NullableAnnotation.NotAnnotated);
    }
}
