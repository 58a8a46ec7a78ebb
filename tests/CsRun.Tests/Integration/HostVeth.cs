using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Integration;

/// <summary>
/// A veth pair on the host with unique names (csd… is the end a test moves, csp… its peer):
/// this kernel has no `dummy` driver. Dispose deletes whichever end is still on the host, which
/// takes the other with it; an end moved into a container dies with its network namespace.
/// </summary>
internal sealed class HostVeth : IDisposable
{
    public string Name { get; }
    public string Peer { get; }

    public HostVeth()
    {
        string tag = Guid.NewGuid().ToString("N")[..8];
        Name = "csd" + tag;
        Peer = "csp" + tag;
        var r = Ip("link", "add", Name, "type", "veth", "peer", "name", Peer);
        r.ExitCode.Should().Be(0, r.ToString());
    }

    public static CliResult Ip(params string[] args) => CsrunCli.RunProgram("ip", args);

    public static bool OnHost(string name) => Directory.Exists(Path.Combine("/sys/class/net", name));

    /// <summary>IFF_UP of a host interface.</summary>
    public static bool IsUp(string name) =>
        (Convert.ToInt32(File.ReadAllText(Path.Combine("/sys/class/net", name, "flags")).Trim(), 16) & 1) == 1;

    public void Dispose()
    {
        if (OnHost(Name)) Ip("link", "del", Name);
        else if (OnHost(Peer)) Ip("link", "del", Peer);
    }

    /// <summary>Null when the host can make veth pairs, else why not.</summary>
    public static readonly string? Unavailable = Probe();

    static string? Probe()
    {
        try
        {
            string name = "csq" + Guid.NewGuid().ToString("N")[..8];
            var r = Ip("link", "add", name, "type", "veth", "peer", "name", name + "p");
            if (r.ExitCode != 0) return $"cannot make a veth pair here: {r.Stderr.Trim()}";
            Ip("link", "del", name);
            return null;
        }
        catch (Exception e)
        {
            return $"cannot run ip(8): {e.Message}";
        }
    }
}

/// <summary>A test that moves a host interface: skipped where no veth pair can be made.</summary>
public sealed class VethFactAttribute : FactAttribute
{
    public VethFactAttribute() => Skip = HostVeth.Unavailable;
}
