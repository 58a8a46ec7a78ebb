using System.Buffers.Binary;
using System.Text;
using CsRun.Linux;
using CsRun.Spec;

namespace CsRun.Seccomp;

/// <summary>
/// What a compiled filter depends on, hashed: every linux.seccomp field the compiler reads, in
/// order, length-prefixed (so no two inputs encode alike), and the environment that can change
/// libseccomp's output or its refusals: the native architecture, libseccomp's version and the API
/// level it detected from the kernel (which actions and flags exist), and csrun's build id (a new
/// csrun may compile differently or lay the entry out differently).
/// </summary>
internal static class SeccompCacheKey
{
    /// <summary>Bumped whenever the encoding below or the compile changes meaning.</summary>
    const uint Format = 1;

    /// <summary>Null when the running binary has no build id: nothing can be cached then.</summary>
    public static byte[]? For(SeccompConfig s) => BuildId.Current is { } id ? For(s, Environment(id)) : null;

    /// <summary>The key of <paramref name="s"/> in a given environment (tests vary it).</summary>
    public static byte[] For(SeccompConfig s, byte[] environment)
    {
        var k = new Encoder();
        k.U32(Format);
        k.Bytes(environment);
        k.Str(s.DefaultAction);
        k.OptU32(s.DefaultErrnoRet);
        k.StrList(s.Architectures);
        // Absent and empty flags differ (absent means SPEC_ALLOW where the kernel has it).
        k.StrList(s.Flags);
        // Only whether it is set matters to the compile (a notify rule needs one); the path
        // itself is used when the child hands over the listener, from the config.
        k.U32(string.IsNullOrEmpty(s.ListenerPath) ? 0u : 1u);
        k.Count(s.Syscalls);
        foreach (var call in s.Syscalls ?? [])
        {
            // A null entry is refused by the compiler, so it never reaches the cache; mark it anyway.
            if (call == null) { k.U32(0); continue; }
            k.U32(1);
            k.StrList(call.Names);
            k.Str(call.Action);
            k.OptU32(call.ErrnoRet);
            k.Count(call.Args);
            foreach (var a in call.Args ?? [])
            {
                if (a == null) { k.U32(0); continue; }
                k.U32(1);
                k.U32(a.Index);
                k.U64(a.Value);
                k.U64(a.ValueTwo);
                k.Str(a.Op);
            }
        }
        return k.Finish();
    }

    /// <summary>The environment part: build id, native architecture, libseccomp version and API level.</summary>
    public static unsafe byte[] Environment(byte[] buildId)
    {
        var e = new Encoder();
        e.Bytes(buildId);
        e.U32(LibSeccomp.ArchNative());
        uint* v = LibSeccomp.Version();
        e.U32(v[0]); e.U32(v[1]); e.U32(v[2]);
        e.U32(LibSeccomp.ApiGet());
        return e.Finish();
    }

    /// <summary>Little-endian fixed-width numbers and length-prefixed strings, hashed at the end.</summary>
    sealed class Encoder
    {
        byte[] _buf = new byte[16 * 1024];
        int _len;

        Span<byte> Take(int n)
        {
            if (_len + n > _buf.Length) Array.Resize(ref _buf, Math.Max(_buf.Length * 2, _len + n));
            var span = _buf.AsSpan(_len, n);
            _len += n;
            return span;
        }

        public void U32(uint v) => BinaryPrimitives.WriteUInt32LittleEndian(Take(4), v);

        public void U64(ulong v) => BinaryPrimitives.WriteUInt64LittleEndian(Take(8), v);

        public void Bytes(ReadOnlySpan<byte> b)
        {
            U32((uint)b.Length);
            b.CopyTo(Take(b.Length));
        }

        public void Str(string? s)
        {
            if (s == null) { U32(uint.MaxValue); return; }
            int n = Encoding.UTF8.GetByteCount(s);
            U32((uint)n);
            Encoding.UTF8.GetBytes(s, Take(n));
        }

        public void OptU32(uint? v)
        {
            U32(v.HasValue ? 1u : 0u);
            U32(v ?? 0);
        }

        /// <summary>A list's length, uint.MaxValue for none (absent and empty can differ).</summary>
        public void Count<T>(List<T>? list) => U32(list == null ? uint.MaxValue : (uint)list.Count);

        public void StrList(List<string>? list)
        {
            Count(list);
            foreach (var s in list ?? []) Str(s);
        }

        public byte[] Finish() => Sha256.Hash(_buf.AsSpan(0, _len));
    }
}
