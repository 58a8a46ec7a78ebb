using System.Reflection.Emit;

namespace CsRun.Tests;

/// <summary>How many bytes of IL an instruction's operand takes (ECMA-335 III.1.9).</summary>
internal static class IlOperand
{
    public static int Size(OperandType operand, byte[] il, int at) => operand switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, at),
        _ => 4,
    };
}
