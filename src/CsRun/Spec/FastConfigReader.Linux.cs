using System.Text.Json;

namespace CsRun.Spec;

// linux (config-linux.md), but for resources and seccomp.
internal static partial class FastConfigReader
{
    static LinuxConfig ReadLinux(ref Utf8JsonReader r)
    {
        StartObject(ref r);
        var o = new LinuxConfig();
        Span<char> k = stackalloc char[NameMax];
        while (Prop(ref r, k, out int n))
            switch (k[..n])
            {
                case "uidmappings": o.UidMappings = OptList(ref r, ReadIdMapping); break;
                case "gidmappings": o.GidMappings = OptList(ref r, ReadIdMapping); break;
                case "sysctl": o.Sysctl = OptStrMap(ref r); break;
                case "resources": o.Resources = Opt(ref r, ReadResources); break;
                case "cgroupspath": o.CgroupsPath = OptStr(ref r); break;
                case "namespaces": o.Namespaces = OptList(ref r, ReadNamespace); break;
                case "devices": o.Devices = OptList(ref r, ReadDevice); break;
                case "netdevices": o.NetDevices = OptMap(ref r, ReadNetDevice); break;
                case "seccomp": o.Seccomp = Opt(ref r, ReadSeccomp); break;
                case "rootfspropagation": o.RootfsPropagation = OptStr(ref r); break;
                case "maskedpaths": o.MaskedPaths = OptStrList(ref r); break;
                case "readonlypaths": o.ReadonlyPaths = OptStrList(ref r); break;
                case "mountlabel": o.MountLabel = OptStr(ref r); break;
                case "intelrdt": o.IntelRdt = Opt(ref r, ReadIntelRdt); break;
                case "memorypolicy": o.MemoryPolicy = Opt(ref r, ReadMemoryPolicy); break;
                case "personality": o.Personality = Opt(ref r, ReadPersonality); break;
                case "timeoffsets": o.TimeOffsets = OptMap(ref r, ReadTimeOffset); break;
                default: r.Skip(); break;
            }
        return o;
    }

    static Namespace ReadNamespace(ref Utf8JsonReader r)
    {
        StartObject(ref r);
        var o = new Namespace();
        Span<char> k = stackalloc char[NameMax];
        while (Prop(ref r, k, out int n))
            switch (k[..n])
            {
                case "type": o.Type = Str(ref r); break;
                case "path": o.Path = OptStr(ref r); break;
                default: r.Skip(); break;
            }
        return o;
    }

    static TimeOffset ReadTimeOffset(ref Utf8JsonReader r)
    {
        StartObject(ref r);
        var o = new TimeOffset();
        Span<char> k = stackalloc char[NameMax];
        while (Prop(ref r, k, out int n))
            switch (k[..n])
            {
                case "secs": o.Secs = I64(ref r); break;
                case "nanosecs": o.Nanosecs = U32(ref r); break;
                default: r.Skip(); break;
            }
        return o;
    }

    static Device ReadDevice(ref Utf8JsonReader r)
    {
        StartObject(ref r);
        var o = new Device();
        Span<char> k = stackalloc char[NameMax];
        while (Prop(ref r, k, out int n))
            switch (k[..n])
            {
                case "path": o.Path = Str(ref r); break;
                case "type": o.Type = Str(ref r); break;
                case "major": o.Major = I64(ref r); break;
                case "minor": o.Minor = I64(ref r); break;
                case "filemode": o.FileMode = OptU32(ref r); break;
                case "uid": o.Uid = OptU32(ref r); break;
                case "gid": o.Gid = OptU32(ref r); break;
                default: r.Skip(); break;
            }
        return o;
    }

    static NetDevice ReadNetDevice(ref Utf8JsonReader r)
    {
        StartObject(ref r);
        var o = new NetDevice();
        Span<char> k = stackalloc char[NameMax];
        while (Prop(ref r, k, out int n))
            switch (k[..n])
            {
                case "name": o.Name = OptStr(ref r); break;
                default: r.Skip(); break;
            }
        return o;
    }

    static Personality ReadPersonality(ref Utf8JsonReader r)
    {
        StartObject(ref r);
        var o = new Personality();
        Span<char> k = stackalloc char[NameMax];
        while (Prop(ref r, k, out int n))
            switch (k[..n])
            {
                case "domain": o.Domain = Str(ref r); break;
                case "flags": o.Flags = OptStrList(ref r); break;
                default: r.Skip(); break;
            }
        return o;
    }

    static IntelRdt ReadIntelRdt(ref Utf8JsonReader r)
    {
        StartObject(ref r);
        var o = new IntelRdt();
        Span<char> k = stackalloc char[NameMax];
        while (Prop(ref r, k, out int n))
            switch (k[..n])
            {
                case "closid": o.ClosId = OptStr(ref r); break;
                case "l3cacheschema": o.L3CacheSchema = OptStr(ref r); break;
                case "membwschema": o.MemBwSchema = OptStr(ref r); break;
                case "enablecmt": o.EnableCmt = OptBool(ref r); break;
                case "enablembm": o.EnableMbm = OptBool(ref r); break;
                default: r.Skip(); break;
            }
        return o;
    }

    static MemoryPolicy ReadMemoryPolicy(ref Utf8JsonReader r)
    {
        StartObject(ref r);
        var o = new MemoryPolicy();
        Span<char> k = stackalloc char[NameMax];
        while (Prop(ref r, k, out int n))
            switch (k[..n])
            {
                case "mode": o.Mode = Str(ref r); break;
                case "nodes": o.Nodes = OptStr(ref r); break;
                case "flags": o.Flags = OptStrList(ref r); break;
                default: r.Skip(); break;
            }
        return o;
    }
}
