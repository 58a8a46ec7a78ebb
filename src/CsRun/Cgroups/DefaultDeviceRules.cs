using CsRun.Spec;

namespace CsRun.Cgroups;

/// <summary>
/// The device rules every container gets after its own (runc's AllowedDevices): mknod of
/// anything, and use of the nodes csrun creates plus ptys and tun.
/// </summary>
internal static class DefaultDeviceRules
{
    static readonly DeviceRule[] Allowed =
    {
        new() { Allow = true, Type = "c", Access = "m" },
        new() { Allow = true, Type = "b", Access = "m" },
        new() { Allow = true, Type = "c", Major = 1, Minor = 3, Access = "rwm" },
        new() { Allow = true, Type = "c", Major = 1, Minor = 8, Access = "rwm" },
        new() { Allow = true, Type = "c", Major = 1, Minor = 7, Access = "rwm" },
        new() { Allow = true, Type = "c", Major = 5, Minor = 0, Access = "rwm" },
        new() { Allow = true, Type = "c", Major = 1, Minor = 5, Access = "rwm" },
        new() { Allow = true, Type = "c", Major = 1, Minor = 9, Access = "rwm" },
        new() { Allow = true, Type = "c", Major = 136, Access = "rwm" },
        new() { Allow = true, Type = "c", Major = 5, Minor = 2, Access = "rwm" },
        new() { Allow = true, Type = "c", Major = 10, Minor = 200, Access = "rwm" },
    };

    /// <summary>The config's resources with the default rules appended to its device rules.</summary>
    public static Resources Complete(Resources? resources)
    {
        var r = resources ?? new Resources();
        var rules = new List<DeviceRule>(r.Devices ?? new List<DeviceRule>());
        rules.AddRange(Allowed);
        return r with { Devices = rules };
    }
}
