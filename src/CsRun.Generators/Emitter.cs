using System;
using System.Collections.Generic;
using System.Text;

namespace CsRun.Generators;

/// <summary>One method per model type: its head, a line per property, its tail.</summary>
internal sealed class Emitter(Func<ModelType, string> head, Func<ModelProperty, string> line, string tail)
{
    public void Emit(StringBuilder s, IEnumerable<ModelType> types)
    {
        foreach (var t in types)
        {
            s.Append(head(t));
            foreach (var p in t.Properties) s.Append(line(p));
            s.Append(tail);
        }
    }
}
