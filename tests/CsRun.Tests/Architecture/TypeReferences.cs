using System.Reflection;
using System.Reflection.Emit;

namespace CsRun.Tests.Architecture;

/// <summary>
/// The types a type uses: its base, interfaces, fields, signatures and locals, and every type,
/// method and field its IL names (a `new RuntimeError(...)` in a method body counts).
/// </summary>
internal static class TypeReferences
{
    const BindingFlags Declared = BindingFlags.DeclaredOnly | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static;

    static readonly Dictionary<short, OperandType> Operands = typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!).ToDictionary(op => op.Value, op => op.OperandType);

    public static IEnumerable<Type> Of(Type type)
    {
        var found = new List<Type>();
        found.Add(type.BaseType!);
        found.AddRange(type.GetInterfaces());
        foreach (var f in type.GetFields(Declared)) found.Add(f.FieldType);
        foreach (var m in type.GetMethods(Declared).Cast<MethodBase>().Concat(type.GetConstructors(Declared)))
        {
            if (m is MethodInfo mi) found.Add(mi.ReturnType);
            found.AddRange(m.GetParameters().Select(p => p.ParameterType));
            if (m.GetMethodBody() is not { } body) continue;
            found.AddRange(body.LocalVariables.Select(v => v.LocalType));
            foreach (var member in MembersNamedIn(m, body.GetILAsByteArray()!))
            {
                switch (member)
                {
                    case Type t: found.Add(t); break;
                    case FieldInfo fi: found.Add(fi.DeclaringType!); found.Add(fi.FieldType); break;
                    case MethodBase callee: found.Add(callee.DeclaringType!); break;
                }
            }
        }
        return found.Where(t => t != null).SelectMany(Parts).Distinct();
    }

    /// <summary>A type and what it is built from: element types and generic arguments.</summary>
    static IEnumerable<Type> Parts(Type t)
    {
        if (t.HasElementType) return Parts(t.GetElementType()!);
        if (t.IsGenericParameter) return Array.Empty<Type>();
        if (!t.IsConstructedGenericType) return new[] { t };
        return new[] { t.GetGenericTypeDefinition() }.Concat(t.GetGenericArguments().SelectMany(Parts));
    }

    static IEnumerable<MemberInfo> MembersNamedIn(MethodBase m, byte[] il)
    {
        Type[]? typeArgs = m.DeclaringType is { IsGenericType: true } dt ? dt.GetGenericArguments() : null;
        Type[]? methodArgs = m.IsGenericMethod ? m.GetGenericArguments() : null;
        for (int at = 0; at < il.Length;)
        {
            short code = il[at] == 0xFE ? (short)(0xFE00 | il[at + 1]) : il[at];
            at += il[at] == 0xFE ? 2 : 1;
            var operand = Operands[code];
            if (operand is OperandType.InlineType or OperandType.InlineTok or OperandType.InlineMethod or OperandType.InlineField)
                yield return m.Module.ResolveMember(BitConverter.ToInt32(il, at), typeArgs, methodArgs)!;
            at += IlOperand.Size(operand, il, at);
        }
    }
}
