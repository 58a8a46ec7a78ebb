using CsRun.Linux;
using CsRun.Spec;

namespace CsRun.Cgroups;

/// <summary>linux.resources.hugepageLimits.</summary>
internal static class HugetlbWriter
{
    public static void V1(string? dir, List<HugepageLimit>? limits) =>
        Write(dir, limits, ".limit_in_bytes");

    public static void V2(string dir, List<HugepageLimit>? limits) => Write(dir, limits, ".max");

    /// <summary>
    /// hugetlb.SIZE{suffix} limits the faulted pages; hugetlb.SIZE.rsvd{suffix} (Linux 5.7) also
    /// limits reservations, which is what keeps a mmap from failing later: both get the limit.
    /// </summary>
    static void Write(string? dir, List<HugepageLimit>? limits, string suffix)
    {
        if (limits == null || limits.Count == 0) return;
        string d = CgroupFiles.Need(dir, "hugetlb", "linux.resources.hugepageLimits");
        bool rsvd = true;
        for (int i = 0; i < limits.Count; i++)
        {
            string field = $"linux.resources.hugepageLimits[{i}]";
            string prefix = "hugetlb." + limits[i].PageSize;
            string value = CgroupFiles.Num(limits[i].Limit);
            CgroupFiles.Write(d, prefix + suffix, value, field);
            if (!rsvd) continue;
            int errno = CgroupFiles.TryWrite(d, prefix + ".rsvd" + suffix, value);
            if (errno == Errno.ENOENT) rsvd = false; // older kernel: no reservation accounting
            else if (errno != 0) throw CgroupFiles.WriteError(field, d, prefix + ".rsvd" + suffix, errno);
        }
    }
}
