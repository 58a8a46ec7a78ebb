using System.Text.Json;

namespace CsRun.Spec;

/// <summary>process and what is under it.</summary>
public static partial class ConfigWriter
{
    static void WriteProcess(Utf8JsonWriter w, ProcessConfig p)
    {
        Boolean(w, "terminal"u8, p.Terminal);
        Object(w, "consoleSize"u8, p.ConsoleSize, WriteBox);
        Object(w, "user"u8, p.User, WriteUser);
        Strings(w, "args"u8, p.Args);
        String(w, "commandLine"u8, p.CommandLine);
        Strings(w, "env"u8, p.Env);
        String(w, "cwd"u8, p.Cwd);
        Object(w, "capabilities"u8, p.Capabilities, WriteCapabilities);
        List(w, "rlimits"u8, p.Rlimits, WriteRlimit);
        Boolean(w, "noNewPrivileges"u8, p.NoNewPrivileges);
        String(w, "apparmorProfile"u8, p.ApparmorProfile);
        Number(w, "oomScoreAdj"u8, p.OomScoreAdj);
        Object(w, "scheduler"u8, p.Scheduler, WriteScheduler);
        String(w, "selinuxLabel"u8, p.SelinuxLabel);
        Object(w, "ioPriority"u8, p.IoPriority, WriteIoPriority);
        Object(w, "execCPUAffinity"u8, p.ExecCpuAffinity, WriteCpuAffinity);
    }

    static void WriteBox(Utf8JsonWriter w, Box b)
    {
        Number(w, "height"u8, b.Height);
        Number(w, "width"u8, b.Width);
    }

    static void WriteUser(Utf8JsonWriter w, User u)
    {
        Number(w, "uid"u8, u.Uid);
        Number(w, "gid"u8, u.Gid);
        Number(w, "umask"u8, u.Umask);
        if (u.AdditionalGids is { } gids)
        {
            w.WriteStartArray("additionalGids"u8);
            foreach (uint gid in gids) w.WriteNumberValue(gid);
            w.WriteEndArray();
        }
        String(w, "username"u8, u.Username);
    }

    static void WriteCapabilities(Utf8JsonWriter w, Capabilities c)
    {
        Strings(w, "bounding"u8, c.Bounding);
        Strings(w, "effective"u8, c.Effective);
        Strings(w, "inheritable"u8, c.Inheritable);
        Strings(w, "permitted"u8, c.Permitted);
        Strings(w, "ambient"u8, c.Ambient);
    }

    static void WriteRlimit(Utf8JsonWriter w, Rlimit r)
    {
        String(w, "type"u8, r.Type);
        Number(w, "hard"u8, r.Hard);
        Number(w, "soft"u8, r.Soft);
    }

    static void WriteScheduler(Utf8JsonWriter w, Scheduler s)
    {
        String(w, "policy"u8, s.Policy);
        Number(w, "nice"u8, s.Nice);
        Number(w, "priority"u8, s.Priority);
        Strings(w, "flags"u8, s.Flags);
        Number(w, "runtime"u8, s.Runtime);
        Number(w, "deadline"u8, s.Deadline);
        Number(w, "period"u8, s.Period);
    }

    static void WriteIoPriority(Utf8JsonWriter w, IoPriority p)
    {
        String(w, "class"u8, p.Class);
        Number(w, "priority"u8, p.Priority);
    }

    static void WriteCpuAffinity(Utf8JsonWriter w, CpuAffinity a)
    {
        String(w, "initial"u8, a.Initial);
        String(w, "final"u8, a.Final);
    }
}
