using CsRun.Tests.Integration;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Clients;

/// <summary>
/// podman 4.3's id-mapped volumes (`-v SRC:DST:idmap`, `--mount type=bind,…,idmap`) with csrun:
/// podman writes the `idmap` option on an rbind and no maps of the mount's own, so the volume
/// borrows the container's user namespace (`--uidmap`/`--gidmap`).
/// </summary>
[Collection(ClientsCollection.Name)]
public sealed class PodmanIdmapTests : IDisposable
{
    readonly ClientsFixture _fixture;
    Podman P => _fixture.Podman;

    public PodmanIdmapTests(ClientsFixture fixture) => _fixture = fixture;

    public void Dispose()
    {
        if (_fixture.PodmanStarted) P.RemoveAll();
    }

    [PodmanIdmapTheory]
    [InlineData("-v", "{0}:/data:idmap")]
    [InlineData("--mount", "type=bind,src={0},dst=/data,idmap")]
    public void An_idmapped_volume_of_a_root_owned_host_directory_is_the_container_roots(string flag, string volume)
    {
        using var host = new HostTree("csrun-pidm-");
        var r = P.Run("run", "--rm", "--uidmap", "0:100000:65536", "--gidmap", "0:100000:65536", flag, string.Format(volume, host.Dir),
            _fixture.Image, "sh", "-c", "stat -c '%u:%g' /data/file; touch /data/new && echo wrote; awk '$5 == \"/data\" {print $6}' /proc/self/mountinfo");
        r.ExitCode.Should().Be(0, r.ToString());
        r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().Equal("0:0", "wrote", "rw,relatime,idmapped");
        UsernsBundles.Sh($"test \"$(stat -c '%u:%g' {host.Dir}/new)\" = 0:0").Should().Be(0, "the container's root writes as the host's root");
        P.Leftovers().Should().BeEmpty();
    }
}

/// <summary>podman, and mount_setattr(MOUNT_ATTR_IDMAP) (Linux 5.12).</summary>
public sealed class PodmanIdmapTheoryAttribute : TheoryAttribute
{
    public PodmanIdmapTheoryAttribute() =>
        Skip = ClientTools.SkipUnlessInstalled("podman", "conmon", "unshare")
            ?? (Environment.OSVersion.Version < new Version(5, 12) ? "id-mapped mounts need Linux 5.12" : null);
}
