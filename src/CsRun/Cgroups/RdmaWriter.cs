using CsRun.Spec;

namespace CsRun.Cgroups;

/// <summary>linux.resources.rdma: one "DEVICE hca_handle=N hca_object=N" line per device, v1 and v2 alike.</summary>
internal static class RdmaWriter
{
    public static void Apply(string? dir, Dictionary<string, RdmaLimit>? rdma)
    {
        if (rdma == null || rdma.Count == 0) return;
        string d = CgroupFiles.Need(dir, "rdma", "linux.resources.rdma");
        foreach (var (device, limit) in rdma)
        {
            string line = device;
            if (limit.HcaHandles is uint handles) line += " hca_handle=" + CgroupFiles.Num(handles);
            if (limit.HcaObjects is uint objects) line += " hca_object=" + CgroupFiles.Num(objects);
            CgroupFiles.Write(d, "rdma.max", line, $"linux.resources.rdma.{device}");
        }
    }
}
