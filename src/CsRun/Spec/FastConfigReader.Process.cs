using System.Text.Json;

namespace CsRun.Spec;

// process (config.md "Process"): also the body of `csrun exec --process`.
internal static partial class FastConfigReader
{
    static ProcessConfig ReadProcess(ref Utf8JsonReader r)
    {
        StartObject(ref r);
        var o = new ProcessConfig();
        Span<char> k = stackalloc char[NameMax];
        while (Prop(ref r, k, out int n))
            switch (k[..n])
            {
                case "terminal": o.Terminal = Bool(ref r); break;
                case "consolesize": o.ConsoleSize = Opt(ref r, ReadBox); break;
                case "user": o.User = ReadUser(ref r); break;
                case "args": o.Args = OptStrList(ref r); break;
                case "commandline": o.CommandLine = OptStr(ref r); break;
                case "env": o.Env = OptStrList(ref r); break;
                case "cwd": o.Cwd = Str(ref r); break;
                case "capabilities": o.Capabilities = Opt(ref r, ReadCapabilities); break;
                case "rlimits": o.Rlimits = OptList(ref r, ReadRlimit); break;
                case "nonewprivileges": o.NoNewPrivileges = Bool(ref r); break;
                case "apparmorprofile": o.ApparmorProfile = OptStr(ref r); break;
                case "oomscoreadj": o.OomScoreAdj = OptI32(ref r); break;
                case "scheduler": o.Scheduler = Opt(ref r, ReadScheduler); break;
                case "selinuxlabel": o.SelinuxLabel = OptStr(ref r); break;
                case "iopriority": o.IoPriority = Opt(ref r, ReadIoPriority); break;
                case "execcpuaffinity": o.ExecCpuAffinity = Opt(ref r, ReadCpuAffinity); break;
                default: r.Skip(); break;
            }
        return o;
    }

    static Box ReadBox(ref Utf8JsonReader r)
    {
        StartObject(ref r);
        var o = new Box();
        Span<char> k = stackalloc char[NameMax];
        while (Prop(ref r, k, out int n))
            switch (k[..n])
            {
                case "height": o.Height = U32(ref r); break;
                case "width": o.Width = U32(ref r); break;
                default: r.Skip(); break;
            }
        return o;
    }

    static User ReadUser(ref Utf8JsonReader r)
    {
        StartObject(ref r);
        var o = new User();
        Span<char> k = stackalloc char[NameMax];
        while (Prop(ref r, k, out int n))
            switch (k[..n])
            {
                case "uid": o.Uid = U32(ref r); break;
                case "gid": o.Gid = U32(ref r); break;
                case "umask": o.Umask = OptU32(ref r); break;
                case "additionalgids": o.AdditionalGids = OptU32List(ref r); break;
                case "username": o.Username = OptStr(ref r); break;
                default: r.Skip(); break;
            }
        return o;
    }

    static Capabilities ReadCapabilities(ref Utf8JsonReader r)
    {
        StartObject(ref r);
        var o = new Capabilities();
        Span<char> k = stackalloc char[NameMax];
        while (Prop(ref r, k, out int n))
            switch (k[..n])
            {
                case "bounding": o.Bounding = OptStrList(ref r); break;
                case "effective": o.Effective = OptStrList(ref r); break;
                case "inheritable": o.Inheritable = OptStrList(ref r); break;
                case "permitted": o.Permitted = OptStrList(ref r); break;
                case "ambient": o.Ambient = OptStrList(ref r); break;
                default: r.Skip(); break;
            }
        return o;
    }

    static Rlimit ReadRlimit(ref Utf8JsonReader r)
    {
        StartObject(ref r);
        var o = new Rlimit();
        Span<char> k = stackalloc char[NameMax];
        while (Prop(ref r, k, out int n))
            switch (k[..n])
            {
                case "type": o.Type = Str(ref r); break;
                case "hard": o.Hard = U64(ref r); break;
                case "soft": o.Soft = U64(ref r); break;
                default: r.Skip(); break;
            }
        return o;
    }

    static Scheduler ReadScheduler(ref Utf8JsonReader r)
    {
        StartObject(ref r);
        var o = new Scheduler();
        Span<char> k = stackalloc char[NameMax];
        while (Prop(ref r, k, out int n))
            switch (k[..n])
            {
                case "policy": o.Policy = Str(ref r); break;
                case "nice": o.Nice = OptI32(ref r); break;
                case "priority": o.Priority = OptI32(ref r); break;
                case "flags": o.Flags = OptStrList(ref r); break;
                case "runtime": o.Runtime = OptU64(ref r); break;
                case "deadline": o.Deadline = OptU64(ref r); break;
                case "period": o.Period = OptU64(ref r); break;
                default: r.Skip(); break;
            }
        return o;
    }

    static IoPriority ReadIoPriority(ref Utf8JsonReader r)
    {
        StartObject(ref r);
        var o = new IoPriority();
        Span<char> k = stackalloc char[NameMax];
        while (Prop(ref r, k, out int n))
            switch (k[..n])
            {
                case "class": o.Class = Str(ref r); break;
                case "priority": o.Priority = I32(ref r); break;
                default: r.Skip(); break;
            }
        return o;
    }

    static CpuAffinity ReadCpuAffinity(ref Utf8JsonReader r)
    {
        StartObject(ref r);
        var o = new CpuAffinity();
        Span<char> k = stackalloc char[NameMax];
        while (Prop(ref r, k, out int n))
            switch (k[..n])
            {
                case "initial": o.Initial = OptStr(ref r); break;
                case "final": o.Final = OptStr(ref r); break;
                default: r.Skip(); break;
            }
        return o;
    }
}
