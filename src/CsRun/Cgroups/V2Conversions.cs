using CsRun.Errors;


namespace CsRun.Cgroups;

/// <summary>
/// The runtime spec speaks cgroup v1; runc's conversions to v2 values, kept identical so that a
/// container gets the same limits under csrun as under runc.
/// </summary>
internal static class V2Conversions
{
    /// <summary>
    /// cpu.shares [2..262144], default 1024, to cpu.weight [1..10000], default 100: a quadratic
    /// in log2(shares) through both ends and the defaults. 0 stays 0 (unset).
    /// </summary>
    public static ulong CpuWeight(ulong shares)
    {
        if (shares == 0) return 0;
        if (shares <= 2) return 1;
        if (shares >= 262144) return 10000;
        double l = Math.Log2(shares);
        double exponent = (l * l + 125 * l) / 612.0 - 7.0 / 34.0;
        return (ulong)Math.Ceiling(Math.Pow(10, exponent));
    }

    /// <summary>blkio.weight [10..1000] to io.weight [1..10000], linearly. 0 stays 0 (unset).</summary>
    public static ulong IoWeight(ushort blkioWeight) =>
        blkioWeight == 0 ? 0 : 1 + ((ulong)blkioWeight - 10) * 9999 / 990;

    /// <summary>
    /// The spec's swap is memory+swap (v1's memsw); v2's memory.swap.max is swap alone.
    /// -1 is unlimited, 0 unset. Unlimited memory with unset swap means unlimited swap too,
    /// as on v1.
    /// </summary>
    public static long SwapOnly(long memorySwap, long memory, string field)
    {
        if (memory == -1 && memorySwap == 0) return -1;
        if (memorySwap == -1 || memorySwap == 0 || memory == -1) return memorySwap;
        if (memory == 0) throw new RuntimeError($"{field}: unable to set swap limit without memory limit");
        if (memory < 0) throw new RuntimeError($"{field}: invalid memory value: {memory}");
        if (memorySwap < memory) throw new RuntimeError($"{field}: memory+swap limit should be >= memory limit");
        return memorySwap - memory;
    }

    /// <summary>A v2 limit file value: -1 is "max", 0 means "leave alone" (null).</summary>
    public static string? Limit(long value) => value switch
    {
        0 => null,
        -1 => "max",
        _ => CgroupFiles.Num(value),
    };
}
