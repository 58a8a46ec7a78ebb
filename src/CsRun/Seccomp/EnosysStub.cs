using CsRun.Linux;
using CsRun.Spec;

namespace CsRun.Seccomp;

/// <summary>
/// runc's -ENOSYS stub (libcontainer/seccomp/patchbpf): classic BPF put in front of libseccomp's
/// filter so that a syscall numbered above every syscall the profile names fails with ENOSYS
/// instead of the default action. A profile that denies by default then does not answer a
/// syscall newer than itself (clone3, faccessat2, ...) with EPERM, which glibc would take as
/// final, but with ENOSYS, on which glibc falls back to the older call.
/// </summary>
internal static class EnosysStub
{
    const uint X32Bit = 0x40000000;
    const ushort LdAbs = 0x20, Jeq = 0x15, Jgt = 0x25, Jset = 0x45, Ja = 0x05, Ret = 0x06;
    const int ArchOffset = 4, NrOffset = 0;

    /// <summary>
    /// Like runc, only a default action that refuses gets the stub (allow, log and trace leave
    /// new syscalls to the kernel), and none is needed when the default already is ENOSYS.
    /// </summary>
    public static bool Wanted(uint defaultAction)
    {
        uint kind = defaultAction & ~ScmpAct.DataMask;
        if (kind is ScmpAct.Allow or ScmpAct.Log or ScmpAct.Trace) return false;
        return defaultAction != (ScmpAct.Errno | (uint)Errno.ENOSYS);
    }

    /// <summary>
    /// The highest syscall number the profile names on each of <paramref name="archTokens"/>
    /// (libseccomp tokens, the native one included as later runc versions do, so that a profile
    /// without an architectures list is covered too); an architecture where it names none is left out.
    /// </summary>
    public static List<(uint Token, uint Last)> LastSyscalls(IEnumerable<uint> archTokens, List<SeccompSyscall>? syscalls)
    {
        var result = new List<(uint, uint)>();
        foreach (uint token in archTokens.Append(LibSeccomp.ArchNative()).Distinct())
        {
            long last = -1;
            foreach (var call in syscalls ?? new())
                foreach (string name in call?.Names ?? new())
                    last = Math.Max(last, LibSeccomp.SyscallResolveNameArch(token, name));
            if (last >= 0) result.Add((token, (uint)last));
        }
        return result;
    }

    /// <summary>
    /// The stub as sock_filter bytes, falling through to the filter that follows it: per audit
    /// architecture, load the number and send anything above the last named one to ENOSYS.
    /// x86_64 and x32 share AUDIT_ARCH_X86_64; an x32 number carries bit 30.
    /// </summary>
    public static byte[] Build(List<(uint Token, uint Last)> lasts)
    {
        if (lasts.Count == 0) return [];
        var asm = new Assembler();
        var groups = lasts.GroupBy(l => AuditArch(l.Token)).ToList();
        asm.Emit(LdAbs, ArchOffset);
        foreach (var g in groups) asm.Jump(Jeq, g.Key, $"arch{g.Key:x}", null);
        asm.Emit(Ja, 0, "filter");
        foreach (var g in groups)
        {
            asm.Label($"arch{g.Key:x}");
            asm.Emit(LdAbs, NrOffset);
            if (g.Key == AuditX8664)
            {
                asm.Jump(Jset, X32Bit, "x32", null);
                Above(asm, g.Where(l => l.Token == AuditX8664).Select(l => (uint?)l.Last).FirstOrDefault());
                asm.Label("x32");
                Above(asm, g.Where(l => l.Token == ScmpX32).Select(l => (uint?)l.Last).FirstOrDefault());
            }
            else Above(asm, g.First().Last);
        }
        asm.Label("enosys");
        asm.Emit(Ret, ScmpAct.Errno | (uint)Errno.ENOSYS);
        asm.Label("filter");
        return asm.Bytes();
    }

    /// <summary>Numbers above <paramref name="last"/> get ENOSYS, the rest go on to the filter.</summary>
    static void Above(Assembler asm, uint? last)
    {
        if (last is uint l) asm.Jump(Jgt, l, "enosys", null);
        asm.Emit(Ja, 0, "filter");
    }

    // libseccomp's tokens are the kernel's AUDIT_ARCH_ values, except x32's.
    const uint AuditX8664 = 0xc000003e, ScmpX32 = 0x4000003e;
    static uint AuditArch(uint token) => token == ScmpX32 ? AuditX8664 : token;

    /// <summary>Classic BPF with forward jumps to named labels, resolved at the end.</summary>
    sealed class Assembler
    {
        readonly List<(ushort Code, uint K, string? True, string? False, string? Always)> _code = new();
        readonly Dictionary<string, int> _labels = new();

        public void Label(string name) => _labels[name] = _code.Count;
        public void Emit(ushort code, uint k, string? always = null) => _code.Add((code, k, null, null, always));
        public void Jump(ushort code, uint k, string? whenTrue, string? whenFalse) => _code.Add((code, k, whenTrue, whenFalse, null));

        public byte[] Bytes()
        {
            var bytes = new byte[_code.Count * 8];
            for (int i = 0; i < _code.Count; i++)
            {
                var (code, k, t, f, always) = _code[i];
                if (always != null) k = (uint)Offset(i, always);
                var at = bytes.AsSpan(i * 8);
                BitConverter.TryWriteBytes(at, code);
                at[2] = (byte)Offset(i, t);
                at[3] = (byte)Offset(i, f);
                BitConverter.TryWriteBytes(at[4..], k);
            }
            return bytes;
        }

        // A conditional jump reaches at most 255 ahead; the stub is far shorter than that.
        int Offset(int from, string? label)
        {
            int offset = label == null ? 0 : _labels[label] - from - 1;
            if (offset is < 0 or > 255) throw new InvalidOperationException($"seccomp stub jump to {label} out of range");
            return offset;
        }
    }
}
