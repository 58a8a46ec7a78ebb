using System.Text.Json;

namespace CsRun.Spec;

/// <summary>linux.resources and what is under it.</summary>
public static partial class ConfigWriter
{
    static void WriteResources(Utf8JsonWriter w, Resources r)
    {
        List(w, "devices"u8, r.Devices, WriteDeviceRule);
        Object(w, "memory"u8, r.Memory, WriteMemory);
        Object(w, "cpu"u8, r.Cpu, WriteCpu);
        Object(w, "pids"u8, r.Pids, WritePids);
        Object(w, "blockIO"u8, r.BlockIo, WriteBlockIo);
        List(w, "hugepageLimits"u8, r.HugepageLimits, WriteHugepageLimit);
        Object(w, "network"u8, r.Network, WriteNetwork);
        Map(w, "rdma"u8, r.Rdma, WriteRdmaLimit);
        StringMap(w, "unified"u8, r.Unified);
    }

    static void WriteDeviceRule(Utf8JsonWriter w, DeviceRule d)
    {
        Boolean(w, "allow"u8, d.Allow);
        String(w, "type"u8, d.Type);
        Number(w, "major"u8, d.Major);
        Number(w, "minor"u8, d.Minor);
        String(w, "access"u8, d.Access);
    }

    static void WriteMemory(Utf8JsonWriter w, MemoryResources m)
    {
        Number(w, "limit"u8, m.Limit);
        Number(w, "reservation"u8, m.Reservation);
        Number(w, "swap"u8, m.Swap);
        Number(w, "kernel"u8, m.Kernel);
        Number(w, "kernelTCP"u8, m.KernelTcp);
        Number(w, "swappiness"u8, m.Swappiness);
        Boolean(w, "disableOOMKiller"u8, m.DisableOomKiller);
        Boolean(w, "useHierarchy"u8, m.UseHierarchy);
        Boolean(w, "checkBeforeUpdate"u8, m.CheckBeforeUpdate);
    }

    static void WriteCpu(Utf8JsonWriter w, CpuResources c)
    {
        Number(w, "shares"u8, c.Shares);
        Number(w, "quota"u8, c.Quota);
        Number(w, "burst"u8, c.Burst);
        Number(w, "period"u8, c.Period);
        Number(w, "realtimeRuntime"u8, c.RealtimeRuntime);
        Number(w, "realtimePeriod"u8, c.RealtimePeriod);
        String(w, "cpus"u8, c.Cpus);
        String(w, "mems"u8, c.Mems);
        Number(w, "idle"u8, c.Idle);
    }

    static void WritePids(Utf8JsonWriter w, PidsResources p) => Number(w, "limit"u8, p.Limit);

    static void WriteBlockIo(Utf8JsonWriter w, BlockIo b)
    {
        Number(w, "weight"u8, b.Weight);
        Number(w, "leafWeight"u8, b.LeafWeight);
        List(w, "weightDevice"u8, b.WeightDevice, WriteWeightDevice);
        List(w, "throttleReadBpsDevice"u8, b.ThrottleReadBpsDevice, WriteThrottleDevice);
        List(w, "throttleWriteBpsDevice"u8, b.ThrottleWriteBpsDevice, WriteThrottleDevice);
        List(w, "throttleReadIOPSDevice"u8, b.ThrottleReadIopsDevice, WriteThrottleDevice);
        List(w, "throttleWriteIOPSDevice"u8, b.ThrottleWriteIopsDevice, WriteThrottleDevice);
    }

    static void WriteWeightDevice(Utf8JsonWriter w, WeightDevice d)
    {
        Number(w, "major"u8, d.Major);
        Number(w, "minor"u8, d.Minor);
        Number(w, "weight"u8, d.Weight);
        Number(w, "leafWeight"u8, d.LeafWeight);
    }

    static void WriteThrottleDevice(Utf8JsonWriter w, ThrottleDevice d)
    {
        Number(w, "major"u8, d.Major);
        Number(w, "minor"u8, d.Minor);
        Number(w, "rate"u8, d.Rate);
    }

    static void WriteHugepageLimit(Utf8JsonWriter w, HugepageLimit h)
    {
        String(w, "pageSize"u8, h.PageSize);
        Number(w, "limit"u8, h.Limit);
    }

    static void WriteNetwork(Utf8JsonWriter w, NetworkResources n)
    {
        Number(w, "classID"u8, n.ClassId);
        List(w, "priorities"u8, n.Priorities, WriteInterfacePriority);
    }

    static void WriteInterfacePriority(Utf8JsonWriter w, InterfacePriority p)
    {
        String(w, "name"u8, p.Name);
        Number(w, "priority"u8, p.Priority);
    }

    static void WriteRdmaLimit(Utf8JsonWriter w, RdmaLimit r)
    {
        Number(w, "hcaHandles"u8, r.HcaHandles);
        Number(w, "hcaObjects"u8, r.HcaObjects);
    }
}
