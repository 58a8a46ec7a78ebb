using System.Buffers.Binary;
using CsRun.Linux;

namespace CsRun.Seccomp;

/// <summary>
/// One cached filter as bytes: a header (magic, the full key, the seccomp(2) flags, whether it
/// uses a listener, the instruction count, the SHA-256 of the BPF) and the BPF. Decoding refuses
/// anything that is not exactly what <see cref="Encode"/> wrote for the same key: another key
/// (a forged or misplaced file), a cut or grown file, a changed byte of the BPF.
/// </summary>
internal static class SeccompCacheEntry
{
    static ReadOnlySpan<byte> Magic => "csrunbpf"u8;
    const int KeyAt = 8, FlagsAt = KeyAt + Sha256.Size, NotifyAt = FlagsAt + 4, CountAt = NotifyAt + 4;
    const int BpfHashAt = CountAt + 4;
    public const int HeaderSize = BpfHashAt + Sha256.Size;
    public const int MaxSize = HeaderSize + SeccompConst.MaxInstructions * 8;

    public static byte[] Encode(byte[] key, CompiledSeccomp c)
    {
        var e = new byte[HeaderSize + c.Bpf.Length];
        Magic.CopyTo(e);
        key.CopyTo(e, KeyAt);
        BinaryPrimitives.WriteUInt32LittleEndian(e.AsSpan(FlagsAt), c.Flags);
        BinaryPrimitives.WriteUInt32LittleEndian(e.AsSpan(NotifyAt), c.UsesNotify ? 1u : 0u);
        BinaryPrimitives.WriteUInt32LittleEndian(e.AsSpan(CountAt), (uint)c.InstructionCount);
        Sha256.Hash(c.Bpf).CopyTo(e, BpfHashAt);
        c.Bpf.CopyTo(e, HeaderSize);
        return e;
    }

    /// <summary>The filter, or null (and why, for the debug log) when the entry is not a whole,
    /// intact entry for <paramref name="key"/>.</summary>
    public static CompiledSeccomp? Decode(ReadOnlySpan<byte> e, byte[] key, out string why)
    {
        why = "";
        if (e.Length < HeaderSize + 8 || !e[..Magic.Length].SequenceEqual(Magic)) { why = "not a cache entry"; return null; }
        if (!e.Slice(KeyAt, Sha256.Size).SequenceEqual(key)) { why = "another key"; return null; }
        uint notify = BinaryPrimitives.ReadUInt32LittleEndian(e[NotifyAt..]);
        uint count = BinaryPrimitives.ReadUInt32LittleEndian(e[CountAt..]);
        if (notify > 1 || count == 0 || count > SeccompConst.MaxInstructions || e.Length != HeaderSize + count * 8)
        {
            why = "wrong size";
            return null;
        }
        var bpf = e[HeaderSize..].ToArray();
        if (!Sha256.Hash(bpf).AsSpan().SequenceEqual(e.Slice(BpfHashAt, Sha256.Size))) { why = "damaged"; return null; }
        return new CompiledSeccomp(bpf, BinaryPrimitives.ReadUInt32LittleEndian(e[FlagsAt..]), notify == 1);
    }
}
