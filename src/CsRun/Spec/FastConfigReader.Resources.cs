using System.Text.Json;

namespace CsRun.Spec;

// linux.resources (config-linux.md "Control groups").
internal static partial class FastConfigReader
{
    static Resources ReadResources(ref Utf8JsonReader r)
    {
        StartObject(ref r);
        var o = new Resources();
        Span<char> k = stackalloc char[NameMax];
        while (Prop(ref r, k, out int n))
            switch (k[..n])
            {
                case "devices": o.Devices = OptList(ref r, ReadDeviceRule); break;
                case "memory": o.Memory = Opt(ref r, ReadMemory); break;
                case "cpu": o.Cpu = Opt(ref r, ReadCpu); break;
                case "pids": o.Pids = Opt(ref r, ReadPids); break;
                case "blockio": o.BlockIo = Opt(ref r, ReadBlockIo); break;
                case "hugepagelimits": o.HugepageLimits = OptList(ref r, ReadHugepageLimit); break;
                case "network": o.Network = Opt(ref r, ReadNetwork); break;
                case "rdma": o.Rdma = OptMap(ref r, ReadRdmaLimit); break;
                case "unified": o.Unified = OptStrMap(ref r); break;
                default: r.Skip(); break;
            }
        return o;
    }

    static DeviceRule ReadDeviceRule(ref Utf8JsonReader r)
    {
        StartObject(ref r);
        var o = new DeviceRule();
        Span<char> k = stackalloc char[NameMax];
        while (Prop(ref r, k, out int n))
            switch (k[..n])
            {
                case "allow": o.Allow = Bool(ref r); break;
                case "type": o.Type = OptStr(ref r); break;
                case "major": o.Major = OptI64(ref r); break;
                case "minor": o.Minor = OptI64(ref r); break;
                case "access": o.Access = OptStr(ref r); break;
                default: r.Skip(); break;
            }
        return o;
    }

    static MemoryResources ReadMemory(ref Utf8JsonReader r)
    {
        StartObject(ref r);
        var o = new MemoryResources();
        Span<char> k = stackalloc char[NameMax];
        while (Prop(ref r, k, out int n))
            switch (k[..n])
            {
                case "limit": o.Limit = OptI64(ref r); break;
                case "reservation": o.Reservation = OptI64(ref r); break;
                case "swap": o.Swap = OptI64(ref r); break;
                case "kernel": o.Kernel = OptI64(ref r); break;
                case "kerneltcp": o.KernelTcp = OptI64(ref r); break;
                case "swappiness": o.Swappiness = OptU64(ref r); break;
                case "disableoomkiller": o.DisableOomKiller = OptBool(ref r); break;
                case "usehierarchy": o.UseHierarchy = OptBool(ref r); break;
                case "checkbeforeupdate": o.CheckBeforeUpdate = OptBool(ref r); break;
                default: r.Skip(); break;
            }
        return o;
    }

    static CpuResources ReadCpu(ref Utf8JsonReader r)
    {
        StartObject(ref r);
        var o = new CpuResources();
        Span<char> k = stackalloc char[NameMax];
        while (Prop(ref r, k, out int n))
            switch (k[..n])
            {
                case "shares": o.Shares = OptU64(ref r); break;
                case "quota": o.Quota = OptI64(ref r); break;
                case "burst": o.Burst = OptU64(ref r); break;
                case "period": o.Period = OptU64(ref r); break;
                case "realtimeruntime": o.RealtimeRuntime = OptI64(ref r); break;
                case "realtimeperiod": o.RealtimePeriod = OptU64(ref r); break;
                case "cpus": o.Cpus = OptStr(ref r); break;
                case "mems": o.Mems = OptStr(ref r); break;
                case "idle": o.Idle = OptI64(ref r); break;
                default: r.Skip(); break;
            }
        return o;
    }

    static PidsResources ReadPids(ref Utf8JsonReader r)
    {
        StartObject(ref r);
        var o = new PidsResources();
        Span<char> k = stackalloc char[NameMax];
        while (Prop(ref r, k, out int n))
            switch (k[..n])
            {
                case "limit": o.Limit = I64(ref r); break;
                default: r.Skip(); break;
            }
        return o;
    }

    static BlockIo ReadBlockIo(ref Utf8JsonReader r)
    {
        StartObject(ref r);
        var o = new BlockIo();
        Span<char> k = stackalloc char[NameMax];
        while (Prop(ref r, k, out int n))
            switch (k[..n])
            {
                case "weight": o.Weight = OptU16(ref r); break;
                case "leafweight": o.LeafWeight = OptU16(ref r); break;
                case "weightdevice": o.WeightDevice = OptList(ref r, ReadWeightDevice); break;
                case "throttlereadbpsdevice": o.ThrottleReadBpsDevice = OptList(ref r, ReadThrottleDevice); break;
                case "throttlewritebpsdevice": o.ThrottleWriteBpsDevice = OptList(ref r, ReadThrottleDevice); break;
                case "throttlereadiopsdevice": o.ThrottleReadIopsDevice = OptList(ref r, ReadThrottleDevice); break;
                case "throttlewriteiopsdevice": o.ThrottleWriteIopsDevice = OptList(ref r, ReadThrottleDevice); break;
                default: r.Skip(); break;
            }
        return o;
    }

    static WeightDevice ReadWeightDevice(ref Utf8JsonReader r)
    {
        StartObject(ref r);
        var o = new WeightDevice();
        Span<char> k = stackalloc char[NameMax];
        while (Prop(ref r, k, out int n))
            switch (k[..n])
            {
                case "major": o.Major = I64(ref r); break;
                case "minor": o.Minor = I64(ref r); break;
                case "weight": o.Weight = OptU16(ref r); break;
                case "leafweight": o.LeafWeight = OptU16(ref r); break;
                default: r.Skip(); break;
            }
        return o;
    }

    static ThrottleDevice ReadThrottleDevice(ref Utf8JsonReader r)
    {
        StartObject(ref r);
        var o = new ThrottleDevice();
        Span<char> k = stackalloc char[NameMax];
        while (Prop(ref r, k, out int n))
            switch (k[..n])
            {
                case "major": o.Major = I64(ref r); break;
                case "minor": o.Minor = I64(ref r); break;
                case "rate": o.Rate = U64(ref r); break;
                default: r.Skip(); break;
            }
        return o;
    }

    static HugepageLimit ReadHugepageLimit(ref Utf8JsonReader r)
    {
        StartObject(ref r);
        var o = new HugepageLimit();
        Span<char> k = stackalloc char[NameMax];
        while (Prop(ref r, k, out int n))
            switch (k[..n])
            {
                case "pagesize": o.PageSize = Str(ref r); break;
                case "limit": o.Limit = U64(ref r); break;
                default: r.Skip(); break;
            }
        return o;
    }

    static NetworkResources ReadNetwork(ref Utf8JsonReader r)
    {
        StartObject(ref r);
        var o = new NetworkResources();
        Span<char> k = stackalloc char[NameMax];
        while (Prop(ref r, k, out int n))
            switch (k[..n])
            {
                case "classid": o.ClassId = OptU32(ref r); break;
                case "priorities": o.Priorities = OptList(ref r, ReadInterfacePriority); break;
                default: r.Skip(); break;
            }
        return o;
    }

    static InterfacePriority ReadInterfacePriority(ref Utf8JsonReader r)
    {
        StartObject(ref r);
        var o = new InterfacePriority();
        Span<char> k = stackalloc char[NameMax];
        while (Prop(ref r, k, out int n))
            switch (k[..n])
            {
                case "name": o.Name = Str(ref r); break;
                case "priority": o.Priority = U32(ref r); break;
                default: r.Skip(); break;
            }
        return o;
    }

    static RdmaLimit ReadRdmaLimit(ref Utf8JsonReader r)
    {
        StartObject(ref r);
        var o = new RdmaLimit();
        Span<char> k = stackalloc char[NameMax];
        while (Prop(ref r, k, out int n))
            switch (k[..n])
            {
                case "hcahandles": o.HcaHandles = OptU32(ref r); break;
                case "hcaobjects": o.HcaObjects = OptU32(ref r); break;
                default: r.Skip(); break;
            }
        return o;
    }
}
