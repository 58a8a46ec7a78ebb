using CsRun.Linux;

namespace CsRun.Launch;

/// <summary>The device and inode of the running csrun binary (what /proc/self/exe names).</summary>
internal static class RuntimeImage
{
    static (ulong, ulong)? _identity;

    public static (ulong Dev, ulong Ino) Identity => _identity ??= Read();

    static (ulong, ulong) Read()
    {
        int err = Files.Stat("/proc/self/exe", out var id);
        return err == 0 ? (id.Dev, id.Ino) : (ulong.MaxValue, ulong.MaxValue);
    }
}
