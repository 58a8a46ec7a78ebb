using System.Collections;

namespace CsRun.Tests.Spec;

/// <summary>A walk by reflection over a spec model tree: every record, list and map in it, and
/// every property of every record ("Type.Name", and whether it is set).</summary>
internal static class ModelTree
{
    public static void Walk(object value, Action<object>? node = null, Action<string, bool>? property = null)
    {
        if (value is string || value.GetType().IsValueType) return;
        node?.Invoke(value);
        if (value is IDictionary map)
        {
            foreach (DictionaryEntry e in map) if (e.Value != null) Walk(e.Value, node, property);
            return;
        }
        if (value is IEnumerable list)
        {
            foreach (var item in list) if (item != null) Walk(item, node, property);
            return;
        }
        foreach (var p in value.GetType().GetProperties().Where(p => p.GetIndexParameters().Length == 0))
        {
            var v = p.GetValue(value);
            property?.Invoke($"{p.DeclaringType!.Name}.{p.Name}", v != null);
            if (v != null) Walk(v, node, property);
        }
    }
}
