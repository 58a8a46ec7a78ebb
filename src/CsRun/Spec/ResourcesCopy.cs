namespace CsRun.Spec;

/// <summary>
/// A deep copy of linux.resources: every list, map and record under it is new, so changing the
/// copy leaves the original as it was. The records at the leaves hold only numbers and strings,
/// so `with { }` copies them whole; nulls inside lists and maps stay null.
/// </summary>
internal static class ResourcesCopy
{
    public static Resources Of(Resources r) => r with
    {
        Devices = Each(r.Devices, d => d with { }),
        Memory = r.Memory is { } m ? m with { } : null,
        Cpu = r.Cpu is { } c ? c with { } : null,
        Pids = r.Pids is { } p ? p with { } : null,
        BlockIo = r.BlockIo is { } b ? Of(b) : null,
        HugepageLimits = Each(r.HugepageLimits, h => h with { }),
        Network = r.Network is { } n ? n with { Priorities = Each(n.Priorities, i => i with { }) } : null,
        Rdma = Each(r.Rdma, l => l with { }),
        Unified = Each(r.Unified, v => v),
    };

    static BlockIo Of(BlockIo b) => b with
    {
        WeightDevice = Each(b.WeightDevice, d => d with { }),
        ThrottleReadBpsDevice = Each(b.ThrottleReadBpsDevice, d => d with { }),
        ThrottleWriteBpsDevice = Each(b.ThrottleWriteBpsDevice, d => d with { }),
        ThrottleReadIopsDevice = Each(b.ThrottleReadIopsDevice, d => d with { }),
        ThrottleWriteIopsDevice = Each(b.ThrottleWriteIopsDevice, d => d with { }),
    };

    static List<T>? Each<T>(List<T>? list, Func<T, T> copy) where T : class =>
        list?.ConvertAll(x => x is null ? default! : copy(x));

    /// <summary>Entries in the original's enumeration order, which is the order they are written in.</summary>
    static Dictionary<string, T>? Each<T>(Dictionary<string, T>? map, Func<T, T> copy) where T : class
    {
        if (map == null) return null;
        var result = new Dictionary<string, T>(map.Count);
        foreach (var (k, v) in map) result.Add(k, v is null ? default! : copy(v));
        return result;
    }
}
