using CsRun.Launch;
using CsRun.Linux;
using CsRun.Spec;

namespace CsRun.Container;

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
        var (parentSync, childSync) = SyncChannel.CreatePair();
        int pid = -1;
        try
        {
            pid = Spawner.Spawn(program, CloneFlags.NewUser, childSync, parentSync);
            Files.WriteExisting($"/proc/{pid}/uid_map", uidText, $"{field}.uidMappings");
            Files.WriteExisting($"/proc/{pid}/gid_map", gidText, $"{field}.gidMappings");
            int ns = Files.TryOpen($"/proc/{pid}/ns/user", O.RdOnly | O.CloExec);
            if (ns < 0) throw new Cli.RuntimeError($"{field}: open the id-mapping's user namespace /proc/{pid}/ns/user: {Errno.Message(-ns)}");
            Cli.Log.Debug($"{field}: user namespace for the mount's maps from helper {pid} (uid_map \"{uidText.TrimEnd()}\")");
            return ns;
        }
        finally
        {
            if (pid > 0)
            {
                Libc.Sys(Nr.Kill, pid, Sig.Kill);
                Spawner.Reap(pid);
            }
            Files.Close(parentSync);
            Files.Close(childSync);
        }
    }

    public void Dispose()
    {
        foreach (int fd in _byMaps.Values) Files.Close(fd);
        _byMaps.Clear();
    }
}
