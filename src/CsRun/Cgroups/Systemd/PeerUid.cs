using System.Globalization;
using CsRun.Linux;

namespace CsRun.Cgroups.Systemd;

/// <summary>
/// The uid a D-Bus peer sees for csrun (SO_PEERCRED, translated into the peer's user
/// namespace), which SASL EXTERNAL must name: for root in a user namespace (rootless podman
/// runs its runtime so) it is the id outside, from /proc/self/uid_map, as runc's DetectUID finds
/// the user manager's owner.
/// </summary>
internal static class PeerUid
{
    public static uint Get()
    {
        uint uid = Identity.EffectiveUid;
        return KernelFile.Read("/proc/self/uid_map", out string map) < 0 ? uid : Outside(map, uid);
    }

    /// <summary>The id a uid_map text ("inside outside count" lines) maps uid to; uid itself if none does.</summary>
    internal static uint Outside(string map, uint uid)
    {
        foreach (string line in map.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] f = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (f.Length != 3
                || !ulong.TryParse(f[0], NumberStyles.None, CultureInfo.InvariantCulture, out ulong inside)
                || !ulong.TryParse(f[1], NumberStyles.None, CultureInfo.InvariantCulture, out ulong outside)
                || !ulong.TryParse(f[2], NumberStyles.None, CultureInfo.InvariantCulture, out ulong count))
                continue;
            if (uid >= inside && uid - inside < count) return (uint)(outside + (uid - inside));
        }
        return uid;
    }
}
