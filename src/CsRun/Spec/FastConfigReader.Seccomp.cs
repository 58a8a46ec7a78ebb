using System.Text.Json;

namespace CsRun.Spec;

// linux.seccomp (config-linux.md "Seccomp").
internal static partial class FastConfigReader
{
    static SeccompConfig ReadSeccomp(ref Utf8JsonReader r)
    {
        StartObject(ref r);
        var o = new SeccompConfig();
        Span<char> k = stackalloc char[NameMax];
        while (Prop(ref r, k, out int n))
            switch (k[..n])
            {
                case "defaultaction": o.DefaultAction = Str(ref r); break;
                case "defaulterrnoret": o.DefaultErrnoRet = OptU32(ref r); break;
                case "architectures": o.Architectures = OptStrList(ref r); break;
                case "flags": o.Flags = OptStrList(ref r); break;
                case "listenerpath": o.ListenerPath = OptStr(ref r); break;
                case "listenermetadata": o.ListenerMetadata = OptStr(ref r); break;
                case "syscalls": o.Syscalls = OptList(ref r, ReadSeccompSyscall); break;
                default: r.Skip(); break;
            }
        return o;
    }

    static SeccompSyscall ReadSeccompSyscall(ref Utf8JsonReader r)
    {
        StartObject(ref r);
        var o = new SeccompSyscall();
        Span<char> k = stackalloc char[NameMax];
        while (Prop(ref r, k, out int n))
            switch (k[..n])
            {
                case "names": o.Names = StrList(ref r); break;
                case "action": o.Action = Str(ref r); break;
                case "errnoret": o.ErrnoRet = OptU32(ref r); break;
                case "args": o.Args = OptList(ref r, ReadSeccompArg); break;
                default: r.Skip(); break;
            }
        return o;
    }

    static SeccompArg ReadSeccompArg(ref Utf8JsonReader r)
    {
        StartObject(ref r);
        var o = new SeccompArg();
        Span<char> k = stackalloc char[NameMax];
        while (Prop(ref r, k, out int n))
            switch (k[..n])
            {
                case "index": o.Index = U32(ref r); break;
                case "value": o.Value = U64(ref r); break;
                case "valuetwo": o.ValueTwo = U64(ref r); break;
                case "op": o.Op = Str(ref r); break;
                default: r.Skip(); break;
            }
        return o;
    }
}
