using CsRun.Cli;
using CsRun.Linux;
using CsRun.Spec;

namespace CsRun.Container;

/// <summary>Writes linux.uidMappings/gidMappings for the init's new user namespace.</summary>
internal static class IdMaps
{
    public static void Write(int pid, Config config)
    {
        Write(pid, "uid_map", config.Linux?.UidMappings, "linux.uidMappings");
        Write(pid, "gid_map", config.Linux?.GidMappings, "linux.gidMappings");
    }

    static void Write(int pid, string file, List<IdMapping>? maps, string field)
    {
        if (maps == null || maps.Count == 0) return;
        string text = string.Concat(maps.Select(m => $"{m.ContainerId} {m.HostId} {m.Size}\n"));
        Files.WriteExisting($"/proc/{pid}/{file}", text, field);
    }
}
