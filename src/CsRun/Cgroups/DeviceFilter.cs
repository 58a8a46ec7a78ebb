using System.Text;
using CsRun.Spec;

namespace CsRun.Cgroups;

/// <summary>
/// linux.resources.devices as an eBPF program of type BPF_PROG_TYPE_CGROUP_DEVICE, the v2
/// device controller. The rules go through <see cref="DeviceEmulator"/> first (so v2 decides
/// exactly as v1 would), then each exception becomes one block:
/// <code>
///   if type != T goto next; [if (access &amp; A) != access goto next;] [if major != M goto next;]
///   [if minor != N goto next;] return allow;
/// </code>
/// and the program ends with the default. The kernel calls it with struct bpf_cgroup_dev_ctx
/// { u32 access_type (type | access &lt;&lt; 16); u32 major; u32 minor; } in r1; 1 allows, 0 denies.
/// The instruction stream is the same as runc's devicefilter.go for the same rules.
/// </summary>
internal static class DeviceFilter
{
    /// <summary>The program's license string (no GPL-only helpers are called).</summary>
    public const string License = "Apache";

    /// <summary>BPF_DEVCG_DEV_BLOCK, BPF_DEVCG_DEV_CHAR.</summary>
    const int DevBlock = 1, DevChar = 2;

    // Opcodes (linux/bpf_common.h, linux/bpf.h): class | op | source.
    internal const byte LdxMemW = 0x61;   // BPF_LDX | BPF_MEM | BPF_W
    internal const byte AndImm32 = 0x54;  // BPF_ALU | BPF_AND | BPF_K
    internal const byte RshImm32 = 0x74;  // BPF_ALU | BPF_RSH | BPF_K
    internal const byte MovImm32 = 0xb4;  // BPF_ALU | BPF_MOV | BPF_K
    internal const byte MovReg32 = 0xbc;  // BPF_ALU | BPF_MOV | BPF_X
    internal const byte JneImm = 0x55;    // BPF_JMP | BPF_JNE | BPF_K
    internal const byte JneReg = 0x5d;    // BPF_JMP | BPF_JNE | BPF_X
    internal const byte Exit = 0x95;      // BPF_JMP | BPF_EXIT

    public static ulong[] Compile(IReadOnlyList<DeviceRule>? rules) => Compile(DeviceEmulator.From(rules));

    public static ulong[] Compile(DeviceEmulator emu)
    {
        var p = new List<ulong>
        {
            Insn(LdxMemW, 2, 1, 0, 0),        // r2 = ctx->access_type
            Insn(AndImm32, 2, 0, 0, 0xFFFF),  // w2 &= 0xffff: the device type
            Insn(LdxMemW, 3, 1, 0, 0),        // r3 = ctx->access_type
            Insn(RshImm32, 3, 0, 0, 16),      // w3 >>= 16: the access asked for
            Insn(LdxMemW, 4, 1, 4, 0),        // r4 = ctx->major
            Insn(LdxMemW, 5, 1, 8, 0),        // r5 = ctx->minor
        };
        foreach (var e in emu.Exceptions()) AppendBlock(p, e);
        p.Add(Insn(MovImm32, 0, 0, 0, emu.DefaultAllow ? 1 : 0));
        p.Add(Insn(Exit, 0, 0, 0, 0));
        return p.ToArray();
    }

    static void AppendBlock(List<ulong> p, DeviceException e)
    {
        // Jumps are to the end of this block: collect it, then fix the offsets.
        var block = new List<(byte Code, byte Dst, byte Src, int Imm, bool Jump)>
        {
            (JneImm, 2, 0, e.Match.Type == 'b' ? DevBlock : DevChar, true),
        };
        if (e.Access != DeviceAccess.All)
        {
            block.Add((MovReg32, 1, 3, 0, false));           // w1 = w3
            block.Add((AndImm32, 1, 0, (int)e.Access, false)); // w1 &= allowed
            block.Add((JneReg, 1, 3, 0, true));              // asked for more than allowed
        }
        if (e.Match.Major >= 0) block.Add((JneImm, 4, 0, unchecked((int)(uint)e.Match.Major), true));
        if (e.Match.Minor >= 0) block.Add((JneImm, 5, 0, unchecked((int)(uint)e.Match.Minor), true));
        block.Add((MovImm32, 0, 0, e.Allow ? 1 : 0, false));
        block.Add((Exit, 0, 0, 0, false));
        for (int i = 0; i < block.Count; i++)
        {
            var b = block[i];
            p.Add(Insn(b.Code, b.Dst, b.Src, b.Jump ? (short)(block.Count - i - 1) : (short)0, b.Imm));
        }
    }

    /// <summary>struct bpf_insn { u8 code; u8 dst_reg:4, src_reg:4; s16 off; s32 imm; }, little-endian.</summary>
    internal static ulong Insn(byte code, byte dst, byte src, short off, int imm) =>
        code | (ulong)(byte)(dst | src << 4) << 8 | (ulong)(ushort)off << 16 | (ulong)(uint)imm << 32;

    /// <summary>The program in the verifier's notation, one numbered line per instruction.</summary>
    public static string Describe(ReadOnlySpan<ulong> program)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < program.Length; i++)
        {
            ulong x = program[i];
            byte code = (byte)x;
            int dst = (int)(x >> 8) & 0xF, src = (int)(x >> 12) & 0xF;
            short off = (short)(x >> 16);
            int imm = (int)(x >> 32);
            string text = code switch
            {
                LdxMemW => $"r{dst} = *(u32 *)(r{src} + {off})",
                AndImm32 => $"w{dst} &= {imm}",
                RshImm32 => $"w{dst} >>= {imm}",
                MovImm32 => $"w{dst} = {imm}",
                MovReg32 => $"w{dst} = w{src}",
                JneImm => $"if r{dst} != {imm} goto {i + 1 + off}",
                JneReg => $"if r{dst} != r{src} goto {i + 1 + off}",
                Exit => "exit",
                _ => $"code 0x{code:x2} dst r{dst} src r{src} off {off} imm {imm}",
            };
            sb.Append(i).Append(": ").Append(text).Append('\n');
        }
        return sb.ToString();
    }
}
