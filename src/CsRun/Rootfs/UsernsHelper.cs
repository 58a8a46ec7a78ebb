using CsRun.Diagnostics;
using CsRun.Errors;
using CsRun.Launch;
using CsRun.Linux;
using CsRun.Spec;

namespace CsRun.Rootfs;

/// <summary>
/// User namespaces that carry an id-mapped mount's own maps (runc 1.2's userns.Handles): a
/// process is cloned into a new user namespace, csrun writes its maps, opens its
/// /proc/&lt;pid&gt;/ns/user and kills and reaps it; the fd keeps the namespace. One per distinct
/// mapping in a create, closed with the helper.
/// </summary>
internal sealed class UsernsHelper : IDisposable
{
    readonly Dictionary<string, int> _byMaps = new();

    /// <summary>An fd of a user namespace with exactly these maps; <paramref name="field"/> names the mount.</summary>
    public int Get(List<IdMapping> uid, List<IdMapping> gid, string field)
    {
        string uidText = MapText(uid), gidText = MapText(gid);
        string key = uidText + ";" + gidText;
        if (_byMaps.TryGetValue(key, out int fd)) return fd;
        fd = Spawn(uidText, gidText, field);
        _byMaps[key] = fd;
        return fd;
    }

    /// <summary>uid_map/gid_map text: "containerID hostID size" a line.</summary>
    public static string MapText(List<IdMapping> maps) => string.Concat(maps.Select(m => $"{m.ContainerId} {m.HostId} {m.Size}\n"));

    static int Spawn(string uidText, string gidText, string field)
    {
        // The helper only waits on its sync socket (it first closes every other fd it inherited).
        var program = new SetupProgram();
        SyncWaitStep.Emit(program, "", "wait to be killed", SyncType.Go);
        using var child = SpawnedChild.Start(program, CloneFlags.NewUser);
        try
        {
            Files.WriteExisting($"/proc/{child.Pid}/uid_map", uidText, $"{field}.uidMappings");
            Files.WriteExisting($"/proc/{child.Pid}/gid_map", gidText, $"{field}.gidMappings");
            int ns = Files.TryOpen($"/proc/{child.Pid}/ns/user", O.RdOnly | O.CloExec);
            if (ns < 0) throw new RuntimeError($"{field}: open the id-mapping's user namespace /proc/{child.Pid}/ns/user: {Errno.Message(-ns)}");
            Log.Debug($"{field}: user namespace for the mount's maps from helper {child.Pid} (uid_map \"{uidText.TrimEnd()}\")");
            return ns;
        }
        finally { child.KillAndReap(); }
    }

    public void Dispose()
    {
        foreach (int fd in _byMaps.Values) Files.Close(fd);
        _byMaps.Clear();
    }
}
