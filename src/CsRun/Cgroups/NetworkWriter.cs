using CsRun.Diagnostics;
using CsRun.Spec;

namespace CsRun.Cgroups;

/// <summary>linux.resources.network: the v1 net_cls and net_prio controllers (v2 has neither).</summary>
internal static class NetworkWriter
{
    const string Field = "linux.resources.network";

    public static void V1(string? netCls, string? netPrio, NetworkResources? n)
    {
        if (n == null) return;
        if (n.ClassId is uint classId && classId != 0)
        {
            string d = CgroupFiles.Need(netCls, "net_cls", Field + ".classID");
            CgroupFiles.Write(d, "net_cls.classid", CgroupFiles.Num(classId), Field + ".classID");
        }
        var priorities = n.Priorities ?? new List<InterfacePriority>();
        for (int i = 0; i < priorities.Count; i++)
        {
            string field = $"{Field}.priorities[{i}]";
            string d = CgroupFiles.Need(netPrio, "net_prio", field);
            CgroupFiles.Write(d, "net_prio.ifpriomap", priorities[i].Name + " " + CgroupFiles.Num(priorities[i].Priority), field);
        }
    }

    /// <summary>runc ignores these on v2 silently; a warning tells the user the setting had no effect.</summary>
    public static void V2(NetworkResources? n)
    {
        if ((n?.ClassId ?? 0) != 0 || n?.Priorities is { Count: > 0 })
            Log.Warn($"{Field}: ignored: cgroup v2 has no net_cls or net_prio controller");
    }
}
