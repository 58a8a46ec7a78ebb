using CsRun.Spec;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Integration;

/// <summary>
/// linux.rootfsPropagation by its effect on real mounts: a tmpfs on the host, made shared (its
/// own peer group: this host's / is private and must stay so), given to the container as a
/// volume. Kubernetes' Bidirectional is rootfsPropagation rshared with a `rbind,rshared` volume;
/// HostToContainer is rslave. Compared with runc 1.1.5 on the same bundles.
/// </summary>
public class RootfsPropagationTests
{
    /// <summary>A shared tmpfs on the host at <see cref="Path"/>, with the directories `in` (for
    /// the container's mount) and `h` (for the host's); Dispose unmounts everything under it.</summary>
    sealed class SharedHostMount : IDisposable
    {
        public string Path { get; }

        /// <param name="bindItself">bind the directory on itself (keeping what it holds) instead of a tmpfs.</param>
        public SharedHostMount(string path, bool bindItself = false)
        {
            Path = path;
            Directory.CreateDirectory(path);
            if (bindItself) Host("mount", "--bind", path, path);
            else Host("mount", "-t", "tmpfs", "csrun-test-vol", path);
            Host("mount", "--make-shared", path);
            Directory.CreateDirectory(System.IO.Path.Combine(path, "in"));
            Directory.CreateDirectory(System.IO.Path.Combine(path, "h"));
        }

        public bool HostSees(string sub) => HostMountPoints().Contains(System.IO.Path.Combine(Path, sub));

        public List<string> HostMountPoints() =>
            File.ReadAllLines("/proc/self/mountinfo").Select(l => l.Split(' ')[4]).Where(m => m.StartsWith(Path + "/") || m == Path).ToList();

        public void Dispose() => CsrunCli.RunProgram("/bin/umount", new[] { "-R", "-l", Path });
    }

    static void Host(params string[] args)
    {
        var r = CsrunCli.RunProgram("/bin/" + args[0], args[1..]);
        r.ExitCode.Should().Be(0, r.ToString());
    }

    /// <summary>A running container with CAP_SYS_ADMIN (to mount) and the volume at /vol.</summary>
    static string Start(Bundle b, string? rootfsPropagation, SharedHostMount vol, params string[] volumeOptions)
    {
        b.Config.Process!.Args = new() { "sleep", "600" };
        var caps = b.Config.Process.Capabilities!;
        foreach (var set in new[] { caps.Bounding!, caps.Effective!, caps.Permitted! }) set.Add("CAP_SYS_ADMIN");
        b.Config.Linux!.RootfsPropagation = rootfsPropagation;
        b.Config.Mounts!.Add(new MountEntry { Destination = "/vol", Type = "bind", Source = vol.Path, Options = volumeOptions.ToList() });
        var id = b.NewId();
        var r = b.Csrun("run", "-d", "-b", b.Dir, id);
        r.ExitCode.Should().Be(0, r.ToString());
        return id;
    }

    /// <summary>The container mounts a tmpfs on /vol/in; the host then mounts one on its h.
    /// Returns whether each side saw the other's.</summary>
    static (bool HostSawContainers, bool ContainerSawHosts) Exchange(Bundle b, string id, SharedHostMount vol)
    {
        var r = b.Csrun("exec", id, "sh", "-c", "mount -t tmpfs inner /vol/in && echo from-container > /vol/in/mark");
        r.ExitCode.Should().Be(0, r.ToString());
        bool hostSaw = vol.HostSees("in") && File.Exists(Path.Combine(vol.Path, "in", "mark"));
        Host("mount", "-t", "tmpfs", "hostside", Path.Combine(vol.Path, "h"));
        File.WriteAllText(Path.Combine(vol.Path, "h", "mark"), "from-host");
        r = b.Csrun("exec", id, "sh", "-c", "cat /vol/h/mark 2>/dev/null; true");
        r.ExitCode.Should().Be(0, r.ToString());
        return (hostSaw, r.Stdout == "from-host");
    }

    [Fact]
    public void Bidirectional_mounts_propagate_both_ways_and_are_cleaned_up()
    {
        using var b = new Bundle();
        using (var vol = new SharedHostMount(Path.Combine(b.Dir, "vol")))
        {
            var id = Start(b, "rshared", vol, "rbind", "rshared", "rw");
            var (hostSaw, containerSaw) = Exchange(b, id, vol);
            hostSaw.Should().BeTrue("a mount made under an rshared volume with rootfsPropagation rshared reaches the host (runc 1.1.5 alike)");
            containerSaw.Should().BeTrue("a mount made on the host reaches the container");
            File.ReadAllText(Path.Combine(vol.Path, "in", "mark")).Should().Be("from-container\n");
            // The container's unmount propagates back too.
            var r = b.Csrun("exec", id, "sh", "-c", "busybox umount /vol/in");
            r.ExitCode.Should().Be(0, r.ToString());
            vol.HostSees("in").Should().BeFalse("the container's unmount reaches the host as well");
            b.Csrun("delete", "-f", id).ExitCode.Should().Be(0);
        }
        File.ReadAllText("/proc/self/mountinfo").Should().NotContain(b.Dir, "every mount is gone");
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData("rslave", true)]
    [InlineData("rprivate", false)]
    public void Other_propagations_do_not_leak_container_mounts_to_the_host(string? rootfsPropagation, bool receives)
    {
        using var b = new Bundle();
        using (var vol = new SharedHostMount(Path.Combine(b.Dir, "vol")))
        {
            var id = Start(b, rootfsPropagation, vol, "rbind", "rw");
            var (hostSaw, containerSaw) = Exchange(b, id, vol);
            hostSaw.Should().BeFalse("with {0} nothing the container mounts reaches the host", rootfsPropagation ?? "the default (rslave)");
            containerSaw.Should().Be(receives, "rslave receives the host's mounts, rprivate does not");
            b.Csrun("delete", "-f", id).ExitCode.Should().Be(0);
        }
        File.ReadAllText("/proc/self/mountinfo").Should().NotContain(b.Dir, "every mount is gone");
    }

    [Theory]
    [InlineData("private")]
    [InlineData("slave")]
    public void A_propagation_without_r_changes_only_the_root_mount(string rootfsPropagation)
    {
        // Only / changes; the host mount under the volume stays a peer of the host's, so the
        // bind of it is a peer too and mounts flow both ways (runc 1.1.5 alike, same bundle).
        using var b = new Bundle();
        using (var vol = new SharedHostMount(Path.Combine(b.Dir, "vol")))
        {
            var id = Start(b, rootfsPropagation, vol, "rbind", "rw");
            var (hostSaw, containerSaw) = Exchange(b, id, vol);
            hostSaw.Should().BeTrue();
            containerSaw.Should().BeTrue();
            b.Csrun("delete", "-f", id).ExitCode.Should().Be(0);
        }
        File.ReadAllText("/proc/self/mountinfo").Should().NotContain(b.Dir, "every mount is gone");
    }

    [Theory]
    [InlineData("rshared")]
    [InlineData("shared")]
    [InlineData("private")]
    [InlineData("slave")]
    public void A_rootfs_on_a_shared_mount_is_pivoted_into_without_leaking_to_the_host(string rootfsPropagation)
    {
        // The bundle itself lives on a shared mount: the mount that holds the rootfs must be
        // made private (or a slave) before the rootfs is bound on itself, or pivot_root fails
        // with EINVAL and the container's mounts appear on the host (runc's rootfsParentMountPrivate).
        using var b = new Bundle("sleep", "600");
        using var shared = new SharedHostMount(b.Dir, bindItself: true);
        b.Config.Linux!.RootfsPropagation = rootfsPropagation;
        var id = b.NewId();
        var r = b.Csrun("create", "-b", b.Dir, id);
        r.ExitCode.Should().Be(0, r.ToString());
        shared.HostMountPoints().Should().Equal(new[] { b.Dir }, "none of the container's mounts may show on the host");
        b.Csrun("delete", "-f", id).ExitCode.Should().Be(0);
    }
}
