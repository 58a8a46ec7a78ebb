using CsRun.Linux;
using CsRun.Seccomp;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Seccomp;

/// <summary>Compiled filters loaded into the real kernel (through seccomp-loader.c).</summary>
public class SeccompKernelTests
{
    const long AddKey = 248;
    const int Sigsys = 31;

    static CompiledSeccomp Compile(string json) => SeccompCompiler.Compile(Profiles.Parse(json));

    [Fact]
    public void Docker_profile_runs_true_and_refuses_unshare_and_mount()
    {
        var docker = SeccompCompiler.Compile(Profiles.Fixture("docker-default.json"));
        SeccompLoader.Exec(docker, "true").Exit.Should().Be(0);
        SeccompLoader.Call(null, Nr.Unshare, 0).Should().Be("ret 0", "unfiltered, unshare(0) does nothing");
        SeccompLoader.Call(docker, Nr.Unshare, 0).Should().Be($"errno {Errno.EPERM}");
        SeccompLoader.Call(null, Nr.Mount, 0, 0, 0, 0, 0).Should().NotBe($"errno {Errno.EPERM}");
        SeccompLoader.Call(docker, Nr.Mount, 0, 0, 0, 0, 0).Should().Be($"errno {Errno.EPERM}");
        SeccompLoader.Call(docker, Nr.Getppid).Should().StartWith("ret ");
    }

    [Fact]
    public void Podman_profile_answers_unlisted_syscalls_with_enosys()
    {
        var podman = SeccompCompiler.Compile(Profiles.Fixture("podman-default.json"));
        SeccompLoader.Exec(podman, "true").Exit.Should().Be(0);
        SeccompLoader.Call(null, AddKey, 0, 0, 0, 0, 0).Should().NotBe($"errno {Errno.ENOSYS}");
        SeccompLoader.Call(podman, AddKey, 0, 0, 0, 0, 0).Should().Be($"errno {Errno.ENOSYS}");
        SeccompLoader.Call(podman, Nr.Sethostname, 0, 0).Should().Be($"errno {Errno.EPERM}");
        SeccompLoader.Call(podman, Nr.Unshare, 0).Should().Be("ret 0", "podman leaves unshare to the capabilities");
    }

    [Fact]
    public void Default_errno_38_makes_an_unlisted_syscall_enosys()
    {
        var filter = Compile("""
            {"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":38,
             "syscalls":[{"names":["write","exit_group","exit"],"action":"SCMP_ACT_ALLOW"}]}
            """);
        SeccompLoader.Call(filter, Nr.Getppid).Should().Be($"errno {Errno.ENOSYS}");
    }

    /// <summary>runc's -ENOSYS stub on x86_64, where x32 calls share the audit architecture and
    /// carry bit 30: each ABI is measured against the last syscall the profile names in it
    /// (x32's rt_sigreturn is 0x40000201, above all its common numbers).</summary>
    [Fact]
    public void Syscalls_above_the_profile_get_enosys_in_the_x86_64_and_the_x32_abi()
    {
        const long X32 = 0x40000000;
        var filter = Compile("""
            {"defaultAction":"SCMP_ACT_ERRNO","architectures":["SCMP_ARCH_X86_64","SCMP_ARCH_X32"],
             "syscalls":[{"names":["write","exit_group","exit","rt_sigreturn","getpid"],"action":"SCMP_ACT_ALLOW"}]}
            """);
        SeccompLoader.Call(filter, Nr.Getppid).Should().Be($"errno {Errno.EPERM}", "below the last named syscall: the default");
        SeccompLoader.Call(filter, 1000).Should().Be($"errno {Errno.ENOSYS}");
        SeccompLoader.Call(filter, X32 | Nr.Getppid).Should().Be($"errno {Errno.EPERM}", "x32's getppid is below its rt_sigreturn");
        SeccompLoader.Call(filter, X32 | 1000).Should().Be($"errno {Errno.ENOSYS}");
    }

    /// <summary>A default that lets calls through leaves a new syscall to the kernel, as in
    /// runc: faccessat2 with null arguments runs and fails with EFAULT.</summary>
    [Theory]
    [InlineData("SCMP_ACT_ALLOW")]
    [InlineData("SCMP_ACT_LOG")]
    public void A_permissive_default_gets_no_enosys_stub(string defaultAction) =>
        SeccompLoader.Call(Compile($$"""
            {"defaultAction":"{{defaultAction}}","architectures":["SCMP_ARCH_X86_64"],
             "syscalls":[{"names":["getppid"],"action":"SCMP_ACT_ERRNO"}]}
            """), 439, 0, 0, 0, 0).Should().Be("errno 14");

    [Theory]
    [InlineData("SCMP_ACT_ERRNO", "errno 1")]
    [InlineData("SCMP_ACT_LOG", "ret ")]
    [InlineData("SCMP_ACT_TRACE", "errno 38")] // no tracer attached: the kernel fails the call with ENOSYS
    public void Actions_that_return(string action, string expected) =>
        SeccompLoader.Call(Compile($$"""
            {"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["getppid"],"action":"{{action}}"}]}
            """), Nr.Getppid).Should().StartWith(expected);

    [Theory]
    [InlineData("SCMP_ACT_KILL")]
    [InlineData("SCMP_ACT_KILL_THREAD")]
    [InlineData("SCMP_ACT_KILL_PROCESS")]
    [InlineData("SCMP_ACT_TRAP")]
    public void Actions_that_kill_with_sigsys(string action) =>
        SeccompLoader.CallStatus(Compile($$"""
            {"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["getppid"],"action":"{{action}}"}]}
            """), Nr.Getppid).Should().Be(128 + Sigsys);

    [Theory]
    [InlineData("SCMP_CMP_EQ", 5, 0, 5, true)]
    [InlineData("SCMP_CMP_EQ", 5, 0, 6, false)]
    [InlineData("SCMP_CMP_NE", 5, 0, 6, true)]
    [InlineData("SCMP_CMP_NE", 5, 0, 5, false)]
    [InlineData("SCMP_CMP_LT", 5, 0, 4, true)]
    [InlineData("SCMP_CMP_LT", 5, 0, 5, false)]
    [InlineData("SCMP_CMP_LE", 5, 0, 5, true)]
    [InlineData("SCMP_CMP_LE", 5, 0, 6, false)]
    [InlineData("SCMP_CMP_GE", 5, 0, 5, true)]
    [InlineData("SCMP_CMP_GE", 5, 0, 4, false)]
    [InlineData("SCMP_CMP_GT", 5, 0, 6, true)]
    [InlineData("SCMP_CMP_GT", 5, 0, 5, false)]
    [InlineData("SCMP_CMP_MASKED_EQ", 0xF0, 0x30, 0x3C, true)]
    [InlineData("SCMP_CMP_MASKED_EQ", 0xF0, 0x30, 0x4C, false)]
    [InlineData("SCMP_CMP_GT", 5, 0, 0x100000000, true)] // the upper 32 bits count too
    public void Every_operator_matches_in_the_kernel(string op, long value, long valueTwo, long arg, bool blocked) =>
        GetpidUnder($$"""[{"index":0,"value":{{value}},"valueTwo":{{valueTwo}},"op":"{{op}}"}]""", arg)
            .Should().Be(blocked);

    // runc's rule: conditions on one argument are alternatives (separate rules), conditions on
    // different arguments must all hold (one rule).
    const string FiveOrSeven = """[{"index":0,"value":5,"op":"SCMP_CMP_EQ"},{"index":0,"value":7,"op":"SCMP_CMP_EQ"}]""";
    const string FiveAndSeven = """[{"index":0,"value":5,"op":"SCMP_CMP_EQ"},{"index":1,"value":7,"op":"SCMP_CMP_EQ"}]""";

    [Theory]
    [InlineData(FiveOrSeven, 5, 0, true)]
    [InlineData(FiveOrSeven, 7, 0, true)]
    [InlineData(FiveOrSeven, 6, 0, false)]
    [InlineData(FiveAndSeven, 5, 7, true)]
    [InlineData(FiveAndSeven, 5, 0, false)]
    [InlineData(FiveAndSeven, 0, 7, false)]
    public void Several_conditions_combine_like_runc(string args, long a0, long a1, bool blocked) =>
        GetpidUnder(args, a0, a1).Should().Be(blocked);

    /// <summary>
    /// Calls getpid, which ignores its arguments, under a rule "EACCES when args match", so the
    /// filter alone decides. True when the rule matched.
    /// </summary>
    static bool GetpidUnder(string args, params long[] callArgs)
    {
        string result = SeccompLoader.Call(Compile($$"""
            {"defaultAction":"SCMP_ACT_ALLOW",
             "syscalls":[{"names":["getpid"],"action":"SCMP_ACT_ERRNO","errnoRet":13,"args":{{args}}}]}
            """), Nr.Getpid, callArgs);
        if (result == $"errno {Errno.EACCES}") return true;
        result.Should().StartWith("ret ");
        return false;
    }
}
