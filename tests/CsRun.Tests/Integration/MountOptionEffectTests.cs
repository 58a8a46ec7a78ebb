using System.Diagnostics;
using CsRun.Spec;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Integration;

/// <summary>Every mount option `csrun features` lists takes effect: one container per kind of
/// option, a mount per option, checked in the container's /proc/self/mountinfo
/// (<see cref="MountOptionEffects"/> says what each must show).</summary>
public class MountOptionEffectTests
{
    [Fact]
    public void Each_flag_option_shows_in_the_containers_mountinfo()
    {
        using var b = new Bundle();
        var targets = new Dictionary<string, string>();
        foreach (var (option, effect) in MountOptionEffects.Flag)
        {
            string target = $"/opt-{option}";
            targets[option] = target;
            b.Config.Mounts!.Add(new MountEntry { Destination = target, Type = "tmpfs", Source = "tmpfs", Options = effect.Options.ToList() });
        }
        string info = Mountinfo(b);
        targets.Select(t => (t.Key, Why: MountOptionEffects.Check(MountOptionEffects.TokensOf(info, t.Value), MountOptionEffects.Flag[t.Key])))
            .Where(x => x.Why != null).Select(x => $"{x.Key}: {x.Why}").Should().BeEmpty();
    }

    [Fact]
    public void Each_recursive_option_reaches_a_submount()
    {
        using var b = new Bundle();
        string set = Path.Combine(b.Dir, "src-set"), clear = Path.Combine(b.Dir, "src-clear");
        using var mounts = new HostMounts();
        mounts.Tmpfs(Path.Combine(set, "sub"), "size=64k");
        mounts.Tmpfs(Path.Combine(clear, "sub"), "size=64k,ro,nosuid,nodev,noexec,noatime,nodiratime,nosymfollow");
        foreach (var (option, (onClear, effect)) in MountOptionEffects.Recursive)
            b.Config.Mounts!.Add(new MountEntry
            {
                Destination = $"/rec-{option}", Type = "bind", Source = onClear ? clear : set,
                Options = new[] { "rbind" }.Concat(effect.Options).ToList(),
            });
        string info = Mountinfo(b);
        MountOptionEffects.Recursive
            .Select(o => (o.Key, Why: MountOptionEffects.Check(MountOptionEffects.TokensOf(info, $"/rec-{o.Key}/sub"), o.Value.Effect)))
            .Where(x => x.Why != null).Select(x => $"{x.Key}: {x.Why}").Should().BeEmpty();
    }

    [Fact]
    public void Relatime_on_a_bind_of_a_noatime_mount_makes_it_relatime()
    {
        using var b = new Bundle();
        string noatime = Path.Combine(b.Dir, "src-noatime");
        using var mounts = new HostMounts();
        mounts.Tmpfs(noatime, "size=64k,noatime");
        b.Config.Mounts!.Add(new MountEntry { Destination = "/plain", Type = "bind", Source = noatime, Options = new() { "bind" } });
        b.Config.Mounts!.Add(new MountEntry { Destination = "/relatime", Type = "bind", Source = noatime, Options = new() { "bind", "relatime" } });
        string info = Mountinfo(b);
        MountOptionEffects.Check(MountOptionEffects.TokensOf(info, "/plain"), new(Array.Empty<string>(), new[] { "noatime" }, Array.Empty<string>()))
            .Should().BeNull("a bind keeps its source's noatime");
        MountOptionEffects.Check(MountOptionEffects.TokensOf(info, "/relatime"), new(Array.Empty<string>(), new[] { "relatime" }, new[] { "noatime" }))
            .Should().BeNull("relatime replaces it");
    }

    [Fact]
    public void Propagation_options_show_in_the_containers_mountinfo()
    {
        using var b = new Bundle();
        string shared = Path.Combine(b.Dir, "src-shared");
        using var mounts = new HostMounts();
        mounts.Tmpfs(shared, "size=64k");
        mounts.Sh($"mount --make-shared {shared}");
        mounts.Tmpfs(Path.Combine(shared, "sub"), "size=64k");
        foreach (var (option, (_, effect)) in MountOptionEffects.Propagation)
            b.Config.Mounts!.Add(new MountEntry
            {
                Destination = $"/prop-{option}", Type = "bind", Source = shared,
                Options = new[] { "rbind" }.Concat(effect.Options).ToList(),
            });
        string info = Mountinfo(b);
        MountOptionEffects.Propagation
            .Select(o => (o.Key, Why: MountOptionEffects.Check(
                MountOptionEffects.TokensOf(info, $"/prop-{o.Key}" + (o.Value.OnSub ? "/sub" : "")), o.Value.Effect)))
            .Where(x => x.Why != null).Select(x => $"{x.Key}: {x.Why}").Should().BeEmpty();
    }

    static string Mountinfo(Bundle b)
    {
        var r = RootfsTests.RunSh(b, "cat /proc/self/mountinfo");
        r.ExitCode.Should().Be(0, r.ToString());
        return r.Stdout;
    }

    /// <summary>Host mounts a test makes, unmounted (last first) on Dispose.</summary>
    sealed class HostMounts : IDisposable
    {
        readonly List<string> _made = new();

        public void Tmpfs(string dir, string options)
        {
            Directory.CreateDirectory(dir);
            Sh($"mount -t tmpfs -o {options} csrun-moe {dir}");
            _made.Add(dir);
        }

        public void Sh(string script)
        {
            var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add(script);
            using var p = System.Diagnostics.Process.Start(psi)!;
            p.WaitForExit();
            p.ExitCode.Should().Be(0, script);
        }

        public void Dispose()
        {
            for (int i = _made.Count - 1; i >= 0; i--) Sh($"umount -l {_made[i]}");
        }
    }
}
