using CsRun.Diagnostics;
using CsRun.Errors;
using CsRun.Spec;

namespace CsRun.Cgroups;

/// <summary>linux.resources.blockIO: v1 blkio files, v2 io files.</summary>
internal static class BlockIoWriter
{
    const string Field = "linux.resources.blockIO";

    public static void V1(string? dir, BlockIo? b)
    {
        if (b == null || !IsSet(b)) return;
        string d = CgroupFiles.Need(dir, "blkio", Field);
        // CFQ (gone in Linux 5.0) had blkio.weight; BFQ has blkio.bfq.weight.
        bool cfq = CgroupFiles.Exists(d, "blkio.weight");
        string weightFile = cfq ? "blkio.weight" : "blkio.bfq.weight";
        string deviceFile = cfq ? "blkio.weight_device" : "blkio.bfq.weight_device";

        if ((b.Weight ?? 0) != 0) WriteOrFail(d, weightFile, CgroupFiles.Num(b.Weight!.Value), Field + ".weight");
        if ((b.LeafWeight ?? 0) != 0) WriteOrFail(d, "blkio.leaf_weight", CgroupFiles.Num(b.LeafWeight!.Value), Field + ".leafWeight");
        var devices = b.WeightDevice ?? new List<WeightDevice>();
        for (int i = 0; i < devices.Count; i++)
        {
            var wd = devices[i];
            string field = $"{Field}.weightDevice[{i}]";
            if ((wd.Weight ?? 0) != 0) WriteOrFail(d, deviceFile, Device(wd.Major, wd.Minor) + " " + CgroupFiles.Num(wd.Weight!.Value), field);
            if ((wd.LeafWeight ?? 0) != 0) WriteOrFail(d, "blkio.leaf_weight_device", Device(wd.Major, wd.Minor) + " " + CgroupFiles.Num(wd.LeafWeight!.Value), field);
        }
        Throttle(d, b.ThrottleReadBpsDevice, "blkio.throttle.read_bps_device", null, "throttleReadBpsDevice");
        Throttle(d, b.ThrottleWriteBpsDevice, "blkio.throttle.write_bps_device", null, "throttleWriteBpsDevice");
        Throttle(d, b.ThrottleReadIopsDevice, "blkio.throttle.read_iops_device", null, "throttleReadIOPSDevice");
        Throttle(d, b.ThrottleWriteIopsDevice, "blkio.throttle.write_iops_device", null, "throttleWriteIOPSDevice");
    }

    public static void V2(string dir, BlockIo? b)
    {
        if (b == null || !IsSet(b)) return;
        if ((b.LeafWeight ?? 0) != 0) Log.Warn($"{Field}.leafWeight: ignored: cgroup v2 has no leaf weights");
        // BFQ takes the v1 weight range as is; io.weight (io.cost) needs the conversion.
        bool bfq = CgroupFiles.Exists(dir, "io.bfq.weight");
        if ((b.Weight ?? 0) != 0)
        {
            if (bfq) CgroupFiles.Write(dir, "io.bfq.weight", CgroupFiles.Num(b.Weight!.Value), Field + ".weight");
            else CgroupFiles.Write(dir, "io.weight", CgroupFiles.Num(V2Conversions.IoWeight(b.Weight!.Value)), Field + ".weight");
        }
        var devices = b.WeightDevice ?? new List<WeightDevice>();
        // Per-device BFQ weights (Linux 5.4) show as "default N" lines instead of a bare number.
        bool perDevice = bfq && !ulong.TryParse((CgroupFiles.TryRead(dir, "io.bfq.weight") ?? "").Trim(), out _);
        for (int i = 0; i < devices.Count; i++)
        {
            if ((devices[i].Weight ?? 0) == 0) continue;
            string field = $"{Field}.weightDevice[{i}]";
            if (!perDevice)
            {
                Log.Warn($"{field}: ignored: the kernel has no per-device BFQ weights");
                continue;
            }
            CgroupFiles.Write(dir, "io.bfq.weight", Device(devices[i].Major, devices[i].Minor) + " " + CgroupFiles.Num(devices[i].Weight!.Value), field);
        }
        Throttle(dir, b.ThrottleReadBpsDevice, "io.max", "rbps", "throttleReadBpsDevice");
        Throttle(dir, b.ThrottleWriteBpsDevice, "io.max", "wbps", "throttleWriteBpsDevice");
        Throttle(dir, b.ThrottleReadIopsDevice, "io.max", "riops", "throttleReadIOPSDevice");
        Throttle(dir, b.ThrottleWriteIopsDevice, "io.max", "wiops", "throttleWriteIOPSDevice");
    }

    internal static bool IsSet(BlockIo b) =>
        (b.Weight ?? 0) != 0 || (b.LeafWeight ?? 0) != 0 || b.WeightDevice is { Count: > 0 }
        || b.ThrottleReadBpsDevice is { Count: > 0 } || b.ThrottleWriteBpsDevice is { Count: > 0 }
        || b.ThrottleReadIopsDevice is { Count: > 0 } || b.ThrottleWriteIopsDevice is { Count: > 0 };

    /// <summary>v1: "MAJ:MIN RATE" to its own file; v2: "MAJ:MIN KEY=RATE" to io.max.</summary>
    static void Throttle(string dir, List<ThrottleDevice>? devices, string file, string? key, string name)
    {
        if (devices == null) return;
        for (int i = 0; i < devices.Count; i++)
        {
            string rate = CgroupFiles.Num(devices[i].Rate);
            string value = Device(devices[i].Major, devices[i].Minor) + " " + (key == null ? rate : key + "=" + rate);
            CgroupFiles.Write(dir, file, value, $"{Field}.{name}[{i}]");
        }
    }

    /// <summary>
    /// Proportional weights need CFQ or BFQ; with neither (the kernel's default is mq-deadline
    /// or none) the files do not exist and the weight cannot apply: an error, as in runc and crun
    /// (a warning would let the caller believe the weight took).
    /// </summary>
    static void WriteOrFail(string dir, string file, string value, string field)
    {
        if (!CgroupFiles.Exists(dir, file))
            throw new RuntimeError($"{field}: cannot apply: {CgroupFiles.PathOf(dir, file)} does not exist (no CFQ or BFQ I/O scheduler for weights)");
        CgroupFiles.Write(dir, file, value, field);
    }

    static string Device(long major, long minor) => CgroupFiles.Num(major) + ":" + CgroupFiles.Num(minor);
}
