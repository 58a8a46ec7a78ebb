using System.Runtime.CompilerServices;
using CsRun.Linux;

namespace CsRun.Seccomp;

/// <summary>
/// Which csrun this is, for the seccomp cache's key: the linker's GNU build id of the running
/// program (a hash of the whole linked binary, libseccomp.a included), read from its loaded
/// notes. A JIT host (the tests) is `dotnet`, whose build id says nothing of csrun's code, so
/// there the compiled assembly's MVID is added.
/// </summary>
internal static unsafe class BuildId
{
    const ulong AtPhdr = 3, AtPhnum = 5;
    const uint PtNote = 4, PtPhdr = 6, NtGnuBuildId = 3;
    const int PhdrSize = 56;

    static byte[]? _current;
    static bool _read;

    /// <summary>Null when the program has no build id note.</summary>
    public static byte[]? Current
    {
        get
        {
            if (_read) return _current;
            _current = Read();
            _read = true;
            return _current;
        }
    }

    static byte[]? Read()
    {
        byte[]? elf = FromProgramHeaders((byte*)Libc.AuxValue(AtPhdr), (int)Libc.AuxValue(AtPhnum));
        if (elf == null || RuntimeFeature.IsDynamicCodeSupported == false) return elf;
        return [.. elf, .. typeof(BuildId).Module.ModuleVersionId.ToByteArray()];
    }

    /// <summary>The NT_GNU_BUILD_ID note's bytes in the loaded PT_NOTE segments.</summary>
    static byte[]? FromProgramHeaders(byte* phdrs, int count)
    {
        if (phdrs == null || count <= 0) return null;
        long bias = -1;
        for (int i = 0; i < count; i++)
            if (*(uint*)(phdrs + i * PhdrSize) == PtPhdr) bias = (long)phdrs - *(long*)(phdrs + i * PhdrSize + 16);
        if (bias < 0) return null;
        for (int i = 0; i < count; i++)
        {
            byte* ph = phdrs + i * PhdrSize;
            if (*(uint*)ph != PtNote) continue;
            byte* note = (byte*)(bias + *(long*)(ph + 16));
            byte* end = note + *(long*)(ph + 32);
            while (note + 12 <= end)
            {
                uint nameSize = *(uint*)note, descSize = *(uint*)(note + 4), type = *(uint*)(note + 8);
                byte* name = note + 12;
                byte* desc = name + Align4(nameSize);
                if (desc + descSize > end) break;
                if (type == NtGnuBuildId && nameSize == 4 && name[0] == 'G' && name[1] == 'N' && name[2] == 'U' && name[3] == 0 && descSize > 0)
                    return new ReadOnlySpan<byte>(desc, (int)descSize).ToArray();
                note = desc + Align4(descSize);
            }
        }
        return null;
    }

    static uint Align4(uint n) => (n + 3) & ~3u;
}
