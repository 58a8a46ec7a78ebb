namespace CsRun.Spec.Validation;

/// <summary>linux.resources: what the spec and schema say of each field. Whether the host's
/// cgroups can apply it is the cgroup manager's question, not this one's.</summary>
internal static class ResourceRules
{
    public static void Validate(Context ctx)
    {
        var r = ctx.Linux.Resources;
        if (r == null) return;
        const string at = "linux.resources";
        DeviceRules(r.Devices);
        if (r.Memory?.Swappiness > 100)
            throw Check.Fail($"{at}.memory.swappiness", $"must be from 0 to 100 (got {r.Memory.Swappiness})");
        if (r.Cpu != null)
        {
            Check.CpuList(r.Cpu.Cpus, $"{at}.cpu.cpus");
            Check.CpuList(r.Cpu.Mems, $"{at}.cpu.mems");
        }
        if (r.HugepageLimits != null)
            for (int i = 0; i < r.HugepageLimits.Count; i++) PageSize(r.HugepageLimits[i].PageSize, $"{at}.hugepageLimits[{i}].pageSize");
        if (r.BlockIo?.WeightDevice is { } weights)
            for (int i = 0; i < weights.Count; i++)
                if (weights[i].Weight == null && weights[i].LeafWeight == null)
                    throw Check.Fail($"{at}.blockIO.weightDevice[{i}]", "must set weight or leafWeight");
        if (r.Rdma != null)
            foreach (var (device, limit) in r.Rdma)
                if (limit.HcaHandles == null && limit.HcaObjects == null)
                    throw Check.Fail(Check.Key($"{at}.rdma", device), "must set hcaHandles or hcaObjects");
    }

    static void DeviceRules(List<DeviceRule>? rules)
    {
        if (rules == null) return;
        for (int i = 0; i < rules.Count; i++)
        {
            string at = $"linux.resources.devices[{i}]";
            if (!string.IsNullOrEmpty(rules[i].Type)) Check.OneOf(rules[i].Type!, SpecNames.DeviceRuleTypes, $"{at}.type");
            string access = rules[i].Access ?? "";
            // runc 1.1.5 refuses an empty access and ignores any character but r, w and m ("rwa"
            // is rw); with none of them left it fails with "resulting devices cgroup doesn't
            // precisely match target". The cgroup writers warn of what they ignore.
            if (!access.Any(ch => ch is 'r' or 'w' or 'm'))
                throw Check.Fail($"{at}.access", $"must hold at least one of r, w, m (got \"{access}\")");
        }
    }

    /// <summary>The schema's ^[1-9][0-9]*[KMG]B$ ("2MB", "1GB"): the hugetlb controller's file names.</summary>
    static void PageSize(string size, string at)
    {
        bool ok = size.Length >= 3 && size[0] is >= '1' and <= '9' && size[^1] == 'B' && size[^2] is 'K' or 'M' or 'G'
            && size[..^2].All(char.IsAsciiDigit);
        if (!ok) throw Check.Fail(at, $"must be a size such as 2MB or 1GB (got \"{size}\")");
    }
}
