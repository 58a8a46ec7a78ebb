using CsRun.Linux;
using CsRun.Spec;

namespace CsRun.Launch;

/// <summary>
/// process.capabilities to bit masks. As config.md says, a name that maps to nothing or a
/// capability the host cannot grant is a warning, not an error: the container starts with what
/// can be granted (runc and crun fail, which breaks `--privileged` on hosts like this one).
/// </summary>
internal sealed record CapabilityMasks(ulong Bounding, ulong Effective, ulong Permitted, ulong Inheritable, ulong Ambient)
{
    public static CapabilityMasks From(Capabilities? caps, ulong hostBounding, List<string> warnings)
    {
        if (caps == null) return new CapabilityMasks(0, 0, 0, 0, 0);
        ulong Mask(List<string>? names, string set)
        {
            ulong m = 0;
            foreach (var name in names ?? new List<string>())
            {
                if (!CapabilityNames.TryParse(name, out int cap))
                {
                    Warn(warnings, $"process.capabilities.{set}: unknown capability \"{name}\" ignored");
                    continue;
                }
                if ((hostBounding & (1UL << cap)) == 0)
                {
                    Warn(warnings, $"process.capabilities.{set}: {name} is not in this host's bounding set; not granted");
                    continue;
                }
                m |= 1UL << cap;
            }
            return m;
        }
        ulong bounding = Mask(caps.Bounding, "bounding");
        ulong permitted = Mask(caps.Permitted, "permitted");
        ulong inheritable = Mask(caps.Inheritable, "inheritable");
        // Effective must be a subset of permitted, ambient of permitted and inheritable: the kernel says so.
        ulong effective = Mask(caps.Effective, "effective") & permitted;
        ulong ambient = Mask(caps.Ambient, "ambient") & permitted & inheritable;
        return new CapabilityMasks(bounding, effective, permitted, inheritable, ambient);
    }

    static void Warn(List<string> warnings, string message)
    {
        if (!warnings.Contains(message)) warnings.Add(message);
    }

    /// <summary>The calling process's bounding set: PR_CAPBSET_READ for each capability the kernel knows.</summary>
    public static ulong HostBounding()
    {
        ulong mask = 0;
        for (int cap = 0; cap < 64; cap++)
        {
            long r = Libc.Sys(Nr.Prctl, 23 /*PR_CAPBSET_READ*/, cap);
            if (r < 0) return cap == 0 ? ulong.MaxValue : mask; // EINVAL past the last capability
            if (r == 1) mask |= 1UL << cap;
        }
        return mask;
    }
}
