using CsRun.Spec;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Integration;

/// <summary>What the container process gets, checked from inside: identity, capabilities, limits, environment.</summary>
public class ProcessTests
{
    static string RunSh(Bundle b, string script)
    {
        b.Config.Process!.Args = new() { "sh", "-c", script };
        var r = b.Run();
        r.ExitCode.Should().Be(0, r.ToString());
        return r.Stdout;
    }

    [Fact]
    public void Hostname_domainname_and_pid_1()
    {
        using var b = new Bundle();
        b.Config.Hostname = "box";
        b.Config.Domainname = "example.org";
        RunSh(b, "hostname; cat /proc/sys/kernel/domainname; echo $$").Should().Be("box\nexample.org\n1\n");
    }

    [Fact]
    public void User_group_additional_groups_and_umask()
    {
        using var b = new Bundle();
        b.Config.Process!.User = new() { Uid = 1000, Gid = 1001, AdditionalGids = new() { 5, 7 }, Umask = 0x3f };
        var status = RunSh(b, "id -u; id -g; cat /proc/self/status | grep -E '^Groups'; umask");
        status.Should().Be("1000\n1001\nGroups:\t5 7 \n0077\n");
    }

    [Fact]
    public void Capability_sets_match_the_config()
    {
        using var b = new Bundle();
        b.Config.Process!.Capabilities = new()
        {
            Bounding = new() { "CAP_CHOWN", "CAP_KILL", "CAP_NET_RAW" },
            Effective = new() { "CAP_KILL" },
            Permitted = new() { "CAP_KILL", "CAP_CHOWN" },
            Inheritable = new() { "CAP_KILL" },
            Ambient = new() { "CAP_KILL" },
        };
        b.Config.Process.User = new() { Uid = 1000, Gid = 1000 };
        var caps = RunSh(b, "grep ^Cap /proc/self/status");
        // CAP_CHOWN=0, CAP_KILL=5, CAP_NET_RAW=13. The shell runs as uid 1000: after execve only
        // the ambient set survives into permitted and effective.
        caps.Should().Contain("CapInh:\t0000000000000020");
        caps.Should().Contain("CapPrm:\t0000000000000020");
        caps.Should().Contain("CapEff:\t0000000000000020");
        caps.Should().Contain("CapBnd:\t0000000000002021");
        caps.Should().Contain("CapAmb:\t0000000000000020");
    }

    [Fact]
    public void Unknown_and_ungrantable_capabilities_are_warnings_not_errors()
    {
        using var b = new Bundle();
        var all = CapabilityNames.All.ToList();
        all.Add("CAP_NO_SUCH_THING");
        b.Config.Process!.Capabilities = new() { Bounding = all, Effective = all, Permitted = all };
        b.Config.Process.Args = new() { "sh", "-c", "grep CapEff /proc/self/status" };
        var r = b.Run();
        r.ExitCode.Should().Be(0, r.ToString());
        r.Stderr.Should().Contain("CAP_NO_SUCH_THING");
        string hostBounding = File.ReadLines("/proc/self/status").First(l => l.StartsWith("CapBnd:"))["CapBnd:".Length..].Trim();
        r.Stdout.Should().Contain("CapEff:\t" + hostBounding, "the container gets every capability the host can grant");
    }

    [Fact]
    public void Rlimits_cwd_env_and_home()
    {
        using var b = new Bundle();
        b.Config.Process!.Rlimits = new() { new() { Type = "RLIMIT_NOFILE", Soft = 123, Hard = 456 }, new() { Type = "RLIMIT_CORE", Soft = 0, Hard = 0 } };
        b.Config.Process.Cwd = "/tmp";
        b.Config.Process.Env!.Add("FOO=bar baz");
        var output = RunSh(b, "ulimit -n; ulimit -Hn; ulimit -c; pwd; echo \"$FOO\"; echo $HOME");
        output.Should().Be("123\n456\n0\n/tmp\nbar baz\n/root\n");
    }

    [Fact]
    public void Namespaces_are_new_and_differ_from_the_hosts()
    {
        using var b = new Bundle();
        var inside = RunSh(b, "for n in pid net ipc uts mnt cgroup; do readlink /proc/self/ns/$n; done").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var host = new[] { "pid", "net", "ipc", "uts", "mnt", "cgroup" }.Select(n => new FileInfo($"/proc/self/ns/{n}").LinkTarget).ToArray();
        inside.Should().HaveCount(6);
        for (int i = 0; i < 6; i++) inside[i].Should().NotBe(host[i]);
    }

    [Fact]
    public void Signals_are_reset_and_only_stdio_fds_are_open()
    {
        using var b = new Bundle();
        var output = RunSh(b, "grep -E 'SigIgn|SigBlk' /proc/self/status; ls /proc/self/fd | tr '\\n' ' '");
        output.Should().Contain("SigIgn:\t0000000000000000").And.Contain("SigBlk:\t0000000000000000");
        // ls itself opens one fd for the directory it lists.
        output.Split('\n').Last(l => l.Length > 0).Trim().Should().Be("0 1 2 3");
    }

    [Fact]
    public void No_new_privileges_and_oom_score_adj()
    {
        using var b = new Bundle();
        b.Config.Process!.NoNewPrivileges = true;
        b.Config.Process.OomScoreAdj = 500;
        RunSh(b, "grep NoNewPrivs /proc/self/status; cat /proc/self/oom_score_adj").Should().Be("NoNewPrivs:\t1\n500\n");
    }

    [Fact]
    public void Sysctl_is_written_in_the_containers_namespace()
    {
        using var b = new Bundle();
        b.Config.Linux!.Sysctl = new() { ["net.ipv4.ip_forward"] = "1", ["kernel.shmmax"] = "123456789" };
        b.Config.Linux.ReadonlyPaths!.Remove("/proc/sys");
        RunSh(b, "cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmax").Should().Be("1\n123456789\n");
    }

    [Fact]
    public void Personality_linux32_changes_uname_machine()
    {
        using var b = new Bundle();
        b.Config.Linux!.Personality = new() { Domain = "LINUX32" };
        RunSh(b, "uname -m").Trim().Should().Be("i686");
    }

    [Fact]
    public void Run_keep_leaves_the_stopped_container_for_delete()
    {
        using var b = new Bundle("true");
        var id = b.NewId();
        b.Csrun("run", "--keep", "-b", b.Dir, id).ExitCode.Should().Be(0);
        b.Csrun("state", id).Stdout.Should().Contain("\"status\": \"stopped\"");
        b.Csrun("delete", id).ExitCode.Should().Be(0);
        Leftovers.AssertNone(b, id);
    }
}
