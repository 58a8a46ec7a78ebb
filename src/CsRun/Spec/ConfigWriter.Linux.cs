using System.Text.Json;

namespace CsRun.Spec;

/// <summary>linux and what is under it but resources.</summary>
public static partial class ConfigWriter
{
    static void WriteLinux(Utf8JsonWriter w, LinuxConfig l)
    {
        List(w, "uidMappings"u8, l.UidMappings, WriteIdMapping);
        List(w, "gidMappings"u8, l.GidMappings, WriteIdMapping);
        StringMap(w, "sysctl"u8, l.Sysctl);
        Object(w, "resources"u8, l.Resources, WriteResources);
        String(w, "cgroupsPath"u8, l.CgroupsPath);
        List(w, "namespaces"u8, l.Namespaces, WriteNamespace);
        List(w, "devices"u8, l.Devices, WriteDevice);
        Map(w, "netDevices"u8, l.NetDevices, WriteNetDevice);
        Object(w, "seccomp"u8, l.Seccomp, WriteSeccomp);
        String(w, "rootfsPropagation"u8, l.RootfsPropagation);
        Strings(w, "maskedPaths"u8, l.MaskedPaths);
        Strings(w, "readonlyPaths"u8, l.ReadonlyPaths);
        String(w, "mountLabel"u8, l.MountLabel);
        Object(w, "intelRdt"u8, l.IntelRdt, WriteIntelRdt);
        Object(w, "memoryPolicy"u8, l.MemoryPolicy, WriteMemoryPolicy);
        Object(w, "personality"u8, l.Personality, WritePersonality);
        Map(w, "timeOffsets"u8, l.TimeOffsets, WriteTimeOffset);
    }

    static void WriteNamespace(Utf8JsonWriter w, Namespace n)
    {
        String(w, "type"u8, n.Type);
        String(w, "path"u8, n.Path);
    }

    static void WriteTimeOffset(Utf8JsonWriter w, TimeOffset t)
    {
        Number(w, "secs"u8, t.Secs);
        Number(w, "nanosecs"u8, t.Nanosecs);
    }

    static void WriteDevice(Utf8JsonWriter w, Device d)
    {
        String(w, "path"u8, d.Path);
        String(w, "type"u8, d.Type);
        Number(w, "major"u8, d.Major);
        Number(w, "minor"u8, d.Minor);
        Number(w, "fileMode"u8, d.FileMode);
        Number(w, "uid"u8, d.Uid);
        Number(w, "gid"u8, d.Gid);
    }

    static void WriteNetDevice(Utf8JsonWriter w, NetDevice d) => String(w, "name"u8, d.Name);

    static void WritePersonality(Utf8JsonWriter w, Personality p)
    {
        String(w, "domain"u8, p.Domain);
        Strings(w, "flags"u8, p.Flags);
    }

    static void WriteIntelRdt(Utf8JsonWriter w, IntelRdt r)
    {
        String(w, "closID"u8, r.ClosId);
        String(w, "l3CacheSchema"u8, r.L3CacheSchema);
        String(w, "memBwSchema"u8, r.MemBwSchema);
        Boolean(w, "enableCMT"u8, r.EnableCmt);
        Boolean(w, "enableMBM"u8, r.EnableMbm);
    }

    static void WriteMemoryPolicy(Utf8JsonWriter w, MemoryPolicy p)
    {
        String(w, "mode"u8, p.Mode);
        String(w, "nodes"u8, p.Nodes);
        Strings(w, "flags"u8, p.Flags);
    }

    static void WriteSeccomp(Utf8JsonWriter w, SeccompConfig s)
    {
        String(w, "defaultAction"u8, s.DefaultAction);
        Number(w, "defaultErrnoRet"u8, s.DefaultErrnoRet);
        Strings(w, "architectures"u8, s.Architectures);
        Strings(w, "flags"u8, s.Flags);
        String(w, "listenerPath"u8, s.ListenerPath);
        String(w, "listenerMetadata"u8, s.ListenerMetadata);
        List(w, "syscalls"u8, s.Syscalls, WriteSeccompSyscall);
    }

    static void WriteSeccompSyscall(Utf8JsonWriter w, SeccompSyscall s)
    {
        Strings(w, "names"u8, s.Names);
        String(w, "action"u8, s.Action);
        Number(w, "errnoRet"u8, s.ErrnoRet);
        List(w, "args"u8, s.Args, WriteSeccompArg);
    }

    static void WriteSeccompArg(Utf8JsonWriter w, SeccompArg a)
    {
        Number(w, "index"u8, a.Index);
        Number(w, "value"u8, a.Value);
        Number(w, "valueTwo"u8, a.ValueTwo);
        String(w, "op"u8, a.Op);
    }
}
