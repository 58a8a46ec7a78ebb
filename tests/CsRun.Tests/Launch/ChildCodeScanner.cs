using System.Reflection;
using System.Reflection.Emit;

namespace CsRun.Tests.Launch;

/// <summary>
/// Walks the IL of every method reachable from a root (the child's entry) and reports what
/// breaks the child's rules: an allocation (newobj of a class, newarr, box), a throw, a call
/// outside csrun that is not on the allowed list (locks, glibc wrappers, the runtime's helpers),
/// a P/Invoke other than the raw syscall, a static field of a type whose initializer could run
/// in the child. The child is a fork of a multi-threaded runtime: any of these can hang or crash it.
/// </summary>
internal sealed class ChildCodeScanner
{
    /// <summary>Types outside csrun whose members the child may call: pure value-type helpers.</summary>
    static readonly string[] AllowedExternalTypes =
    {
        "System.Span`1", "System.ReadOnlySpan`1", "System.Runtime.CompilerServices.Unsafe",
        "System.Runtime.InteropServices.MemoryMarshal", "System.Math", "System.Numerics.BitOperations",
    };

    /// <summary>The libc entry points the child may reach: the system call itself and errno.</summary>
    static readonly string[] AllowedImports = { "syscall", "__errno_location" };

    static readonly Dictionary<short, OpCode> OneByte = new(), TwoByte = new();

    static ChildCodeScanner()
    {
        foreach (var f in typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static))
        {
            var op = (OpCode)f.GetValue(null)!;
            if (op.Size == 1) OneByte[op.Value] = op; else TwoByte[(short)(op.Value & 0xff)] = op;
        }
    }

    readonly HashSet<MethodBase> _seen = new();
    public List<string> Violations { get; } = new();
    public IReadOnlyCollection<MethodBase> Reached => _seen;

    public void Scan(MethodBase root)
    {
        var work = new Stack<MethodBase>();
        work.Push(root);
        while (work.Count > 0)
        {
            var m = work.Pop();
            if (!_seen.Add(m)) continue;
            foreach (var callee in Check(m)) work.Push(callee);
        }
    }

    static string Name(MethodBase m) => $"{m.DeclaringType?.FullName}.{m.Name}";

    IEnumerable<MethodBase> Check(MethodBase m)
    {
        var callees = new List<MethodBase>();
        if ((m.Attributes & MethodAttributes.PinvokeImpl) != 0)
        {
            var import = m.GetCustomAttribute<System.Runtime.InteropServices.DllImportAttribute>();
            string entry = import?.EntryPoint ?? m.Name;
            if (!AllowedImports.Contains(entry)) Violations.Add($"{Name(m)}: P/Invoke of {entry}");
            return callees;
        }
        var body = m.GetMethodBody();
        if (body == null) return callees;
        if (body.ExceptionHandlingClauses.Any(c => c.Flags == ExceptionHandlingClauseOptions.Clause))
            Violations.Add($"{Name(m)}: catch block");
        byte[] il = body.GetILAsByteArray()!;
        var module = m.Module;
        Type[]? typeArgs = m.DeclaringType is { IsGenericType: true } t ? t.GetGenericArguments() : null;
        Type[]? methodArgs = m.IsGenericMethod ? m.GetGenericArguments() : null;
        for (int i = 0; i < il.Length;)
        {
            OpCode op = il[i] == 0xFE ? TwoByte[il[i + 1]] : OneByte[il[i]];
            i += op.Size;
            int token = op.OperandType is OperandType.InlineMethod or OperandType.InlineType or OperandType.InlineField or OperandType.InlineTok
                ? BitConverter.ToInt32(il, i) : 0;
            i += OperandSize(op, il, i);
            if (op == OpCodes.Newarr) Violations.Add($"{Name(m)}: newarr (allocation)");
            else if (op == OpCodes.Box) Violations.Add($"{Name(m)}: box (allocation)");
            else if (op == OpCodes.Throw || op == OpCodes.Rethrow) Violations.Add($"{Name(m)}: throw");
            else if (op == OpCodes.Ldsfld || op == OpCodes.Ldsflda || op == OpCodes.Stsfld)
            {
                var f = module.ResolveField(token, typeArgs, methodArgs)!;
                if (f.DeclaringType!.TypeInitializer != null && !f.IsLiteral)
                    Violations.Add($"{Name(m)}: static field {f.DeclaringType.FullName}.{f.Name} (its type initializer could run in the child)");
            }
            else if (op == OpCodes.Call || op == OpCodes.Callvirt || op == OpCodes.Newobj || op == OpCodes.Ldftn)
            {
                var callee = module.ResolveMethod(token, typeArgs, methodArgs)!;
                var type = callee.DeclaringType!;
                if (op == OpCodes.Newobj && !type.IsValueType) Violations.Add($"{Name(m)}: new {type.FullName} (allocation)");
                else if (op == OpCodes.Ldftn) Violations.Add($"{Name(m)}: delegate to {Name(callee)}");
                else if (type.Assembly == m.Module.Assembly) callees.Add(callee);
                else if (!AllowedExternalTypes.Contains(type.IsGenericType ? type.GetGenericTypeDefinition().FullName : type.FullName))
                    Violations.Add($"{Name(m)}: calls {Name(callee)}");
            }
        }
        return callees;
    }

    static int OperandSize(OpCode op, byte[] il, int at) => IlOperand.Size(op.OperandType, il, at);
}
