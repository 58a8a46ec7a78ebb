using CsRun.Spec;

namespace CsRun.Cgroups;

/// <summary>linux.resources.pids: the same pids.max file on v1 and v2.</summary>
internal static class PidsWriter
{
    const string Field = "linux.resources.pids.limit";

    /// <summary>
    /// A positive limit is written as is and a negative one lifts the limit ("max"). 0 leaves
    /// pids.max alone: the spec model cannot tell "limit": 0 from an absent limit, and older
    /// runc treated 0 as unset (newer runc maps an explicit 0 to 1).
    /// </summary>
    public static void Apply(string? dir, PidsResources? p)
    {
        if (p == null || p.Limit == 0) return;
        string d = CgroupFiles.Need(dir, "pids", Field);
        CgroupFiles.Write(d, "pids.max", p.Limit > 0 ? CgroupFiles.Num(p.Limit) : "max", Field);
    }
}
