using System.Buffers.Binary;
using System.Text;
using CsRun.Linux;

namespace CsRun.Launch;

/// <summary>
/// Where the NativeAOT runtime rehydrates its type data at start-up: the binary's `.hydrated`
/// section, about 1.3 MB of anonymous memory that every forked init inherits. The init only
/// runs raw system calls from code and rodata (Interpreter), never touching a type, so it unmaps
/// these pages before it waits for `start`: the waiting init then holds half the memory.
/// Found from the ELF section headers of /proc/self/exe; (0, 0) when there is no such section
/// (a JIT host running the tests) or anything looks wrong.
/// </summary>
internal static class RuntimeData
{
    const int PtPhdr = 6, ShtNobits = 8;
    const ulong AtPhdr = 3, ShfWriteAlloc = 3, Page = 4096;

    static (long, long)? _hydrated;

    public static (long Start, long Length) Hydrated => _hydrated ??= InThisProcess(".hydrated");

    static (long, long) InThisProcess(string name)
    {
        var (addr, size) = Section("/proc/self/exe", name, out ulong phdrVaddr);
        if (size == 0 || phdrVaddr == 0) return (0, 0);
        // The load bias: where the kernel put the program headers minus where the file says they are.
        return WholePages((long)(Libc.AuxValue(AtPhdr) - phdrVaddr), addr, size);
    }

    /// <summary>The whole pages of a section loaded at <paramref name="bias"/>: its neighbours (.bss) stay.</summary>
    public static (long Start, long Length) WholePages(long bias, ulong addr, ulong size)
    {
        ulong start = ((ulong)bias + addr + Page - 1) & ~(Page - 1);
        ulong end = ((ulong)bias + addr + size) & ~(Page - 1);
        return end > start ? ((long)start, (long)(end - start)) : (0, 0);
    }

    /// <summary>Address and size of a writable NOBITS section of an ELF file, and the address of
    /// its program headers (PT_PHDR); (0, 0) when absent or not such a section.</summary>
    public static (ulong Addr, ulong Size) Section(string file, string name, out ulong phdrVaddr)
    {
        phdrVaddr = 0;
        int fd = Files.TryOpen(file, O.RdOnly | O.CloExec);
        if (fd < 0) return (0, 0);
        try
        {
            return Section(fd, name, out phdrVaddr);
        }
        finally
        {
            Files.Close(fd);
        }
    }

    static (ulong, ulong) Section(int fd, string name, out ulong phdrVaddr)
    {
        phdrVaddr = 0;
        var eh = new byte[64];
        if (!ReadAt(fd, eh, 0) || eh[0] != 0x7f || eh[1] != (byte)'E' || eh[2] != (byte)'L' || eh[3] != (byte)'F' || eh[4] != 2)
            return (0, 0);
        ulong phoff = U64(eh, 0x20), shoff = U64(eh, 0x28);
        int phsize = U16(eh, 0x36), phnum = U16(eh, 0x38), shsize = U16(eh, 0x3a), shnum = U16(eh, 0x3c), shstrndx = U16(eh, 0x3e);
        if (phsize < 56 || shsize < 64 || shstrndx >= shnum) return (0, 0);

        var ph = new byte[phsize * phnum];
        if (!ReadAt(fd, ph, (long)phoff)) return (0, 0);
        for (int i = 0; i < phnum; i++)
            if (BinaryPrimitives.ReadUInt32LittleEndian(ph.AsSpan(i * phsize)) == PtPhdr)
                phdrVaddr = U64(ph, i * phsize + 0x10);

        var sh = new byte[shsize * shnum];
        if (!ReadAt(fd, sh, (long)shoff)) return (0, 0);
        int strtab = shstrndx * shsize;
        var names = new byte[Math.Min(U64(sh, strtab + 0x20), 64 * 1024)];
        if (!ReadAt(fd, names, (long)U64(sh, strtab + 0x18))) return (0, 0);
        var wanted = Encoding.ASCII.GetBytes(name + "\0");
        for (int i = 0; i < shnum; i++)
        {
            int h = i * shsize;
            int at = (int)BinaryPrimitives.ReadUInt32LittleEndian(sh.AsSpan(h));
            if (at + wanted.Length > names.Length || !names.AsSpan(at, wanted.Length).SequenceEqual(wanted)) continue;
            bool nobitsWritable = BinaryPrimitives.ReadUInt32LittleEndian(sh.AsSpan(h + 4)) == ShtNobits
                && (U64(sh, h + 8) & ShfWriteAlloc) == ShfWriteAlloc;
            return nobitsWritable ? (U64(sh, h + 0x10), U64(sh, h + 0x20)) : (0, 0);
        }
        return (0, 0);
    }

    static unsafe bool ReadAt(int fd, byte[] buf, long offset)
    {
        fixed (byte* p = buf)
            return Libc.Sys(Nr.Pread64, fd, (long)p, buf.Length, offset) == buf.Length;
    }

    static ulong U64(byte[] b, int at) => BinaryPrimitives.ReadUInt64LittleEndian(b.AsSpan(at));
    static int U16(byte[] b, int at) => BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(at));
}
