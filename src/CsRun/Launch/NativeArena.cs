using System.Runtime.InteropServices;
using System.Text;

namespace CsRun.Launch;

/// <summary>
/// Bump allocator for the setup program's arguments. Memory is never freed: the parent exits
/// soon after the clone, and the child owns its own copy of every page.
/// </summary>
internal sealed unsafe class NativeArena
{
    const int ChunkSize = 64 * 1024;
    byte* _chunk;
    int _used = ChunkSize;

    public byte* Alloc(int size)
    {
        size = (size + 15) & ~15;
        if (size > ChunkSize) return (byte*)NativeMemory.AllocZeroed((nuint)size);
        if (_used + size > ChunkSize)
        {
            _chunk = (byte*)NativeMemory.AllocZeroed(ChunkSize);
            _used = 0;
        }
        byte* p = _chunk + _used;
        _used += size;
        return p;
    }

    /// <summary>A NUL-terminated UTF-8 copy; null stays null.</summary>
    public long Str(string? s)
    {
        if (s == null) return 0;
        int n = Encoding.UTF8.GetByteCount(s);
        byte* p = Alloc(n + 1);
        Encoding.UTF8.GetBytes(s, new Span<byte>(p, n));
        p[n] = 0;
        return (long)p;
    }

    /// <summary>A NULL-terminated array of C strings (argv, envp).</summary>
    public long StrArray(IEnumerable<string> items)
    {
        var list = items.ToList();
        long* arr = (long*)Alloc((list.Count + 1) * 8);
        for (int i = 0; i < list.Count; i++) arr[i] = Str(list[i]);
        arr[list.Count] = 0;
        return (long)arr;
    }

    public long Bytes(ReadOnlySpan<byte> data)
    {
        byte* p = Alloc(data.Length);
        data.CopyTo(new Span<byte>(p, data.Length));
        return (long)p;
    }

    public long Zeroed(int size) => (long)Alloc(size);
}
