using System.Text.Json;
using System.Text.RegularExpressions;
using CsRun.Cgroups;
using CsRun.Spec;
using CsRun.Tests.Spec;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Integration;

/// <summary>
/// csrun run by a non-root user (a user made for each test, commands through setpriv), with the
/// config `csrun spec --rootless` writes, side by side with what runc 1.1.5 does as that user.
/// Each test checks that nothing is left: processes, state, cgroups, the user and its subid lines.
/// </summary>
public class RootlessTests
{
    /// <summary>A bundle from `csrun spec --rootless` run as the user (its ids mapped to root), no terminal.</summary>
    static Bundle SpecBundle(RootlessUser u, params string[] args)
    {
        var spec = u.Csrun("spec", "--rootless", "--bundle", u.Home);
        spec.ExitCode.Should().Be(0, spec.ToString());
        var b = new Bundle(args);
        b.Config = ReferenceJson.Deserialize<Config>(File.ReadAllBytes(Path.Combine(u.Home, "config.json")))!;
        b.Config.Process!.Terminal = false;
        b.Config.Process.Args = args.ToList();
        b.Save();
        return b;
    }

    static string Id() => TestHost.UniqueId("rl");

    static string Squeeze(string s) => Regex.Replace(s, "[ \t]+", " ").Replace("\n ", "\n").Trim();

    static void AssertNothingLeft(RootlessUser u, Bundle b, string id)
    {
        try { LifecycleTests.WaitFor(() => u.Processes().Count == 0, 5000); }
        catch (TimeoutException)
        {
            u.Processes().Select(p => $"{p}: {File.ReadAllText($"/proc/{p}/cmdline").Replace('\0', ' ')}").Should().BeEmpty("no process of the user may stay");
        }
        Directory.Exists(Path.Combine(u.RuntimeDir, "csrun", id)).Should().BeFalse("the state dir must be gone");
        File.ReadAllText("/proc/self/mountinfo").Should().NotContain(b.Dir, "no mount may stay behind");
        Leftovers.CgroupDirs(id).Should().BeEmpty("no cgroup may stay behind");
    }

    [RootlessFact]
    public void Spec_rootless_config_runs_as_the_caller_mapped_to_root_with_state_under_XDG_RUNTIME_DIR()
    {
        string name;
        using (var u = new RootlessUser())
        {
            name = u.Name;
            using var b = SpecBundle(u, "sh", "-c", "cat /proc/self/uid_map /proc/self/gid_map; id");
            var id = Id();
            var r = u.Csrun("run", "-b", b.Dir, id);
            r.ExitCode.Should().Be(0, r.ToString());
            Squeeze(r.Stdout).Should().Be($"0 {u.Uid} 1\n0 {u.Gid} 1\nuid=0(root) gid=0(root) groups=0(root)");

            b.Config.Process!.Args = new() { "sleep", "100" };
            b.Save();
            r = u.Csrun("run", "-d", "-b", b.Dir, id);
            r.ExitCode.Should().Be(0, r.ToString());
            File.Exists(Path.Combine(u.RuntimeDir, "csrun", id, "state.json")).Should().BeTrue("runc keeps a rootless caller's state in $XDG_RUNTIME_DIR/runc");
            Directory.Exists(Path.Combine("/run/csrun", id)).Should().BeFalse();
            u.Csrun("list", "-q").Stdout.Trim().Should().Be(id);
            u.Csrun("delete", "-f", id).ExitCode.Should().Be(0);
            AssertNothingLeft(u, b, id);
        }
        RootlessUser.AssertGone(name);
    }

    /// <summary>
    /// runc's --rootless: auto (a non-root caller) and true leave out the cgroups the caller
    /// cannot make; false does not, and fails as runc fails: mkdir of the first one.
    /// </summary>
    [RootlessFact]
    public void Rootless_auto_and_true_leave_out_cgroups_the_caller_cannot_make_false_fails_on_them()
    {
        using var u = new RootlessUser();
        using var b = SpecBundle(u, "true");
        var id = Id();
        var r = u.Csrun("--rootless", "false", "run", "-b", b.Dir, id);
        r.ExitCode.Should().Be(1, r.ToString());
        r.Stderr.Should().MatchRegex(@"csrun run failed: mkdir /sys/fs/cgroup/[^ ]+: permission denied");
        AssertNothingLeft(u, b, id);
        foreach (var mode in new[] { "auto", "true" })
        {
            r = u.Csrun("--rootless", mode, "run", "-b", b.Dir, id);
            r.ExitCode.Should().Be(0, $"--rootless {mode}: {r}");
        }
        AssertNothingLeft(u, b, id);
    }

    /// <summary>--rootless true as root: the cgroups are made (root may), but no device rule is
    /// written, as runc's rootless manager ignores them.</summary>
    [RootlessFact]
    public void Rootless_true_as_root_writes_no_device_rules()
    {
        using var b = new Bundle("sleep", "100");
        // runc spec's rule: deny every device, then the defaults are allowed on top.
        b.Config.Linux!.Resources = new Resources { Devices = new() { new DeviceRule { Allow = false, Access = "rwm" } } };
        var id = b.NewId();
        b.Csrun("--rootless", "true", "run", "-d", "-b", b.Dir, id).ExitCode.Should().Be(0);
        string devices = Leftovers.CgroupDirs(id).Single(d => d.StartsWith("/sys/fs/cgroup/devices/"));
        File.ReadAllText(Path.Combine(devices, "devices.list")).Trim().Should().Be("a *:* rwm", "no device rule was written");
        b.Csrun("delete", "-f", id).ExitCode.Should().Be(0);

        var other = b.NewId();
        b.Csrun("run", "-d", "-b", b.Dir, other).ExitCode.Should().Be(0);
        devices = Leftovers.CgroupDirs(other).Single(d => d.StartsWith("/sys/fs/cgroup/devices/"));
        File.ReadAllText(Path.Combine(devices, "devices.list")).Should().Contain("c 1:3 rwm", "root's container gets the default rules");
        b.Csrun("delete", "-f", other).ExitCode.Should().Be(0);
    }

    /// <summary>runc: "cannot set memory limit: container could not join or create cgroup";
    /// csrun also names the field and why it has no cgroup.</summary>
    [RootlessFact]
    public void A_resource_without_an_owned_cgroup_fails_naming_the_field_and_why()
    {
        using var u = new RootlessUser();
        using var b = SpecBundle(u, "true");
        b.Config.Linux!.Resources = new Resources { Memory = new MemoryResources { Limit = 64 << 20 } };
        b.Save();
        var id = Id();
        var r = u.Csrun("run", "-b", b.Dir, id);
        r.ExitCode.Should().Be(1, r.ToString());
        r.Stderr.Should().MatchRegex(@"linux\.resources\.memory\.limit: cannot set memory limit: rootless container could not join or create cgroup: mkdir /sys/fs/cgroup/memory/[^ ]*" + id + ": permission denied");
        AssertNothingLeft(u, b, id);
    }

    /// <summary>
    /// A v1 cgroup the caller was given (its directory and cgroup.procs chowned to it, csrun
    /// started inside it): the container's cgroup is made below it and used for limits, pause,
    /// stats and ps; hierarchies not delegated are left out.
    /// </summary>
    [RootlessFact]
    public void A_delegated_v1_cgroup_is_used_for_limits_pause_and_stats()
    {
        var hierarchies = new[] { "memory", "pids", "freezer" };
        if (!hierarchies.All(h => CgroupLayout.Detect().Mounts.ContainsKey(h))) return; // v2 hosts: tests/vm
        using var u = new RootlessUser();
        var delegated = new List<string>();
        try
        {
            foreach (var h in hierarchies)
            {
                string own = File.ReadAllLines("/proc/self/cgroup").Select(l => l.Split(':', 3)).Single(f => f[1].Split(',').Contains(h))[2];
                string d = $"/sys/fs/cgroup/{h}{own.TrimEnd('/')}/{u.Name}";
                Directory.CreateDirectory(d);
                delegated.Add(d);
                foreach (var f in new[] { d, d + "/cgroup.procs", d + "/tasks" }) RootlessUser.Root("chown", $"{u.Uid}:{u.Gid}", f);
            }
            var procs = delegated.Select(d => d + "/cgroup.procs").ToList();
            using var b = SpecBundle(u, "sleep", "100");
            b.Config.Linux!.Resources = new Resources { Memory = new MemoryResources { Limit = 64 << 20 }, Pids = new PidsResources { Limit = 50 } };
            b.Save();
            var id = Id();
            var r = u.CsrunIn(procs, "run", "-d", "-b", b.Dir, id);
            r.ExitCode.Should().Be(0, r.ToString());
            File.ReadAllText($"{delegated[0]}/{id}/memory.limit_in_bytes").Trim().Should().Be((64 << 20).ToString());
            File.ReadAllText($"{delegated[1]}/{id}/pids.max").Trim().Should().Be("50");
            u.Csrun("pause", id).ExitCode.Should().Be(0);
            JsonDocument.Parse(u.Csrun("state", id).Stdout).RootElement.GetProperty("status").GetString().Should().Be("paused");
            u.Csrun("resume", id).ExitCode.Should().Be(0);
            var stats = u.Csrun("events", "--stats", id);
            stats.ExitCode.Should().Be(0, stats.ToString());
            JsonDocument.Parse(stats.Stdout).RootElement.GetProperty("data").GetProperty("memory").GetProperty("usage").GetProperty("usage").GetInt64().Should().BeGreaterThan(0);
            JsonSerializer.Deserialize<List<int>>(u.Csrun("ps", "--format", "json", id).Stdout).Should().HaveCount(1);
            u.Csrun("delete", "-f", id).ExitCode.Should().Be(0);
            delegated.Should().OnlyContain(d => !Directory.Exists($"{d}/{id}"));
            AssertNothingLeft(u, b, id);
        }
        finally
        {
            foreach (var d in delegated) CsRun.Tests.Integration.RootlessCgroupCleanup.Remove(d);
        }
    }

    /// <summary>Without any cgroup: exec, ps and kill --all go by the init's process tree (runc's
    /// fail there), events prints empty stats, pause is runc's error, update of a limit an error
    /// naming why, delete and list work.</summary>
    [RootlessFact]
    public void Exec_ps_kill_events_delete_and_list_work_without_a_cgroup()
    {
        using var u = new RootlessUser();
        using var b = SpecBundle(u, "sleep", "100");
        var id = Id();
        u.Csrun("run", "-d", "-b", b.Dir, id).ExitCode.Should().Be(0);
        var r = u.Csrun("exec", id, "id");
        r.ExitCode.Should().Be(0, r.ToString());
        r.Stdout.Trim().Should().Be("uid=0(root) gid=0(root) groups=0(root)");
        u.Csrun("exec", "-d", id, "sleep", "200").ExitCode.Should().Be(0);
        LifecycleTests.WaitFor(() => JsonSerializer.Deserialize<List<int>>(u.Csrun("ps", "--format", "json", id).Stdout)!.Count == 2);
        u.Csrun("ps", id).Stdout.Should().Contain("sleep 200");
        var stats = u.Csrun("events", "--stats", id);
        stats.ExitCode.Should().Be(0, stats.ToString());
        JsonDocument.Parse(stats.Stdout).RootElement.GetProperty("type").GetString().Should().Be("stats");
        r = u.Csrun("update", "--memory", "100M", id);
        r.ExitCode.Should().Be(1, "a limit with no cgroup to hold it is an error, never accepted and ignored");
        r.Stderr.Should().Contain("linux.resources.memory.limit: cannot set memory limit: rootless container could not join or create cgroup");
        r = u.Csrun("pause", id);
        r.ExitCode.Should().Be(1);
        r.Stderr.Should().Contain("cannot toggle freezer: cgroups not configured for container");
        u.Csrun("kill", "--all", id, "KILL").ExitCode.Should().Be(0);
        LifecycleTests.WaitFor(() => JsonDocument.Parse(u.Csrun("state", id).Stdout).RootElement.GetProperty("status").GetString() == "stopped");
        u.Csrun("delete", id).ExitCode.Should().Be(0);
        u.Csrun("list", "-q").Stdout.Should().BeEmpty();
        AssertNothingLeft(u, b, id);
    }

    /// <summary>Maps beyond the caller's own id go through newuidmap/newgidmap and /etc/subuid,
    /// as in runc; setgroups then stays allowed, so additionalGids work. With the caller's gid
    /// alone setgroups is denied, and additionalGids are an error (runc drops them silently).</summary>
    [RootlessFact]
    public void Multi_range_maps_go_through_newuidmap_and_single_ones_deny_setgroups()
    {
        using var u = new RootlessUser();
        using var b = SpecBundle(u, "sh", "-c", "cat /proc/self/uid_map /proc/self/gid_map /proc/self/setgroups; id");
        var id = Id();
        var l = b.Config.Linux!;
        l.UidMappings = new() { new IdMapping { ContainerId = 0, HostId = u.Uid, Size = 1 }, new IdMapping { ContainerId = 1, HostId = u.SubBase, Size = 65536 } };
        l.GidMappings = new() { new IdMapping { ContainerId = 0, HostId = u.Gid, Size = 1 }, new IdMapping { ContainerId = 1, HostId = u.SubBase, Size = 65536 } };
        b.Config.Process!.User = new User { Uid = 1000, Gid = 1000, AdditionalGids = new() { 2000 } };
        b.Save();
        var r = u.Csrun("run", "-b", b.Dir, id);
        r.ExitCode.Should().Be(0, r.ToString());
        Squeeze(r.Stdout).Should().Be($"0 {u.Uid} 1\n1 {u.SubBase} 65536\n0 {u.Gid} 1\n1 {u.SubBase} 65536\nallow\nuid=1000 gid=1000 groups=2000");

        // Beyond what /etc/subuid grants: newuidmap's own words.
        l.UidMappings[1].HostId = u.SubBase + 1;
        b.Save();
        r = u.Csrun("run", "-b", b.Dir, id);
        r.ExitCode.Should().Be(1);
        r.Stderr.Should().Contain("linux.uidMappings: newuidmap").And.Contain("failed");
        AssertNothingLeft(u, b, id);

        b.Config = ReferenceJson.Deserialize<Config>(File.ReadAllBytes(Path.Combine(u.Home, "config.json")))!;
        b.Config.Process!.Terminal = false;
        b.Config.Process.Args = new() { "cat", "/proc/self/setgroups" };
        b.Save();
        r = u.Csrun("run", "-b", b.Dir, id);
        r.Stdout.Trim().Should().Be("deny", r.ToString());
        b.Config.Process.User = new User { AdditionalGids = new() { 0 } };
        b.Save();
        r = u.Csrun("run", "-b", b.Dir, id);
        r.ExitCode.Should().Be(1);
        r.Stderr.Should().Contain("process.user.additionalGids: cannot be set: the container's user namespace denies setgroups");
        AssertNothingLeft(u, b, id);
    }

    /// <summary>A state root the user cannot write: runc's "mkdir DIR: permission denied" shape,
    /// never a .NET resource key.</summary>
    [RootlessFact]
    public void An_unwritable_state_root_is_told_as_runc_tells_it()
    {
        using var u = new RootlessUser();
        using var b = SpecBundle(u, "true");
        var id = Id();
        var r = u.Csrun("--root", "/root/" + u.Name, "run", "-b", b.Dir, id);
        r.ExitCode.Should().Be(1);
        r.Stderr.Trim().Should().Be($"csrun run failed: mkdir /root/{u.Name}: permission denied");
        r = u.Csrun("--root", "/root", "list");
        r.Stderr.Trim().Should().Be("open /root: permission denied");
        r = u.Csrun("--root", "/root", "state", id);
        r.Stderr.Trim().Should().Be($"open /root/{id}/state.json: permission denied");
        r = u.Csrun("--root", "/root", "exec", id, "true");
        r.ExitCode.Should().Be(255);
        r.Stderr.Trim().Should().Be($"exec failed: open /root/{id}/state.json: permission denied");
    }
}

/// <summary>rmdir of a test's delegated cgroup and whatever a failed test left below it.</summary>
internal static class RootlessCgroupCleanup
{
    public static void Remove(string dir)
    {
        if (!Directory.Exists(dir)) return;
        foreach (var sub in Directory.EnumerateDirectories(dir)) Remove(sub);
        for (int i = 0; i < 50; i++)
        {
            try
            {
                Directory.Delete(dir);
                return;
            }
            catch (IOException) { Thread.Sleep(20); }
        }
    }
}
