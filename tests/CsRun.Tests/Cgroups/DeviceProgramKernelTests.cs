using System.Diagnostics;
using CsRun.Cgroups;
using CsRun.Linux;
using CsRun.Spec;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Cgroups;

/// <summary>
/// The device program loaded and attached for real, to a test cgroup on this host's cgroup2
/// mount (the kernel runs cgroup device programs of a process's v2 cgroup on hybrid hosts too):
/// a shell moved into the cgroup opens the devices and reports what the kernel said.
/// </summary>
public class DeviceProgramKernelTests
{
    static DeviceRule Allow(long major, long minor) => new() { Allow = true, Type = "c", Major = major, Minor = minor, Access = "rwm" };

    static readonly DeviceRule DenyAll = new() { Allow = false, Access = "rwm" };

    /// <summary>"/dev/null ok /dev/full denied" as seen from a process in the cgroup.</summary>
    static string Probe(TestCgroup cg)
    {
        const string script =
            "read go; for d in /dev/null /dev/full; do if (exec 3<>$d) 2>&-; then echo \"$d ok\"; else echo \"$d denied\"; fi; done";
        var p = cg.Spawn(new ProcessStartInfo("/bin/sh")
        {
            ArgumentList = { "-c", script }, RedirectStandardInput = true, RedirectStandardOutput = true,
        });
        cg.Manager.AddProcess(p.Id);
        p.StandardInput.WriteLine("go");
        p.StandardInput.Close();
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit(10000).Should().BeTrue();
        return output.Replace('\n', ' ').Trim();
    }

    static uint[] Attached(string dir)
    {
        int fd = Files.Open(dir, O.Directory | O.RdOnly, "test");
        try
        {
            Bpf.Query(fd, Bpf.AttachCgroupDevice, out uint[] ids).Should().Be(0);
            return ids;
        }
        finally { Files.Close(fd); }
    }

    [Fact]
    public void Rules_are_enforced_and_an_update_replaces_the_program() => V2OnHybridTests.InV2Cgroup(cg =>
    {
        string dir = cg.Dir(CgroupLayout.Unified);
        cg.Started(new Resources { Devices = new() { DenyAll, Allow(1, 3) } });

        Attached(dir).Should().HaveCount(1);
        Probe(cg).Should().Be("/dev/null ok /dev/full denied");

        cg.Manager.Apply(new Resources { Devices = new() { DenyAll, Allow(1, 7) } });

        Attached(dir).Should().HaveCount(1, "the update replaces the program, it does not add one");
        Probe(cg).Should().Be("/dev/null denied /dev/full ok");
    });

    [Fact]
    public void Several_old_programs_are_all_detached() => V2OnHybridTests.InV2Cgroup(cg =>
    {
        string dir = cg.Dir(CgroupLayout.Unified);
        cg.Started();
        // Two programs attached next to each other (as systemd and another tool might leave).
        foreach (long minor in new long[] { 3, 7 })
        {
            ulong[] program = DeviceFilter.Compile(new[] { DenyAll, Allow(1, minor) });
            int prog = Bpf.LoadCgroupDevice(program, DeviceFilter.License, out _);
            prog.Should().BeGreaterThan(0);
            int fd = Files.Open(dir, O.Directory | O.RdOnly, "test");
            Bpf.Attach(fd, prog, Bpf.AttachCgroupDevice).Should().Be(0);
            Files.Close(fd);
            Files.Close(prog);
        }
        Attached(dir).Should().HaveCount(2);
        Probe(cg).Should().Be("/dev/null denied /dev/full denied", "every attached program must allow");

        cg.Manager.Apply(new Resources { Devices = new() { new() { Allow = true, Access = "rwm" } } });

        Attached(dir).Should().HaveCount(1);
        Probe(cg).Should().Be("/dev/null ok /dev/full ok");
    });
}
