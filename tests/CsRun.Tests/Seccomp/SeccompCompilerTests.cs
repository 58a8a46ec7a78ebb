using CsRun.Errors;
using CsRun.Seccomp;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Seccomp;

public class SeccompCompilerTests
{
    const uint SpecAllow = 4;

    static CompiledSeccomp Compile(string json) => SeccompCompiler.Compile(Profiles.Parse(json));

    static void ShouldFail(string json, string message) =>
        FluentActions.Invoking(() => Compile(json)).Should().Throw<RuntimeError>().WithMessage(message);

    [Theory]
    [InlineData("docker-default.json")]
    [InlineData("podman-default.json")]
    [InlineData("containers-common-default.json")]
    public void Real_default_profiles_compile(string file)
    {
        var c = SeccompCompiler.Compile(Profiles.Fixture(file));
        c.Bpf.Length.Should().BeGreaterThan(100 * 8).And.Match(n => n % 8 == 0);
        c.InstructionCount.Should().BeLessThanOrEqualTo(4096);
        c.Flags.Should().Be(SpecAllow, "runc and crun default to SPEC_ALLOW when flags are absent");
        c.UsesNotify.Should().BeFalse();
    }

    [Fact]
    public void Unknown_rule_action_names_the_entry()
    {
        ShouldFail("""
            {"defaultAction":"SCMP_ACT_ALLOW","syscalls":[
              {"names":["read"],"action":"SCMP_ACT_ERRNO"},{"names":["write"],"action":"SCMP_ACT_LOG"},
              {"names":["open"],"action":"SCMP_ACT_TRAP"},{"names":["close"],"action":"SCMP_ACT_DENY"}]}
            """, "linux.seccomp.syscalls[3].action: unknown action \"SCMP_ACT_DENY\"");
    }

    [Theory]
    [InlineData("""{"defaultAction":"allow"}""", "linux.seccomp.defaultAction: unknown action \"allow\"")]
    [InlineData("""{"syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW"}]}""", "linux.seccomp.defaultAction: must be set")]
    [InlineData("""{"defaultAction":"SCMP_ACT_NOTIFY","listenerPath":"/s"}""", "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action")]
    [InlineData("""{"defaultAction":"SCMP_ACT_KILL","defaultErrnoRet":5}""", "linux.seccomp.defaultErrnoRet: only SCMP_ACT_ERRNO and SCMP_ACT_TRACE take an errno, not SCMP_ACT_KILL")]
    [InlineData("""{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":65536}""", "linux.seccomp.defaultErrnoRet: 65536 is out of range (at most 65535)")]
    public void Bad_default_action(string json, string message) => ShouldFail(json, message);

    [Theory]
    [InlineData("""{"names":["read"],"action":"SCMP_ACT_ALLOW","errnoRet":1}""", "linux.seccomp.syscalls[0].errnoRet: only SCMP_ACT_ERRNO and SCMP_ACT_TRACE take an errno, not SCMP_ACT_ALLOW")]
    [InlineData("""{"names":["read"],"action":"SCMP_ACT_ERRNO","args":[{"index":0,"value":1,"op":"SCMP_CMP_EQ"},{"index":1,"value":1,"op":"SCMP_CMP_LIKE"}]}""", "linux.seccomp.syscalls[0].args[1].op: unknown operator \"SCMP_CMP_LIKE\"")]
    [InlineData("""{"names":["read"],"action":"SCMP_ACT_ERRNO","args":[{"index":6,"value":1,"op":"SCMP_CMP_EQ"}]}""", "linux.seccomp.syscalls[0].args[0].index: 6 is out of range (a syscall has arguments 0 to 5)")]
    [InlineData("""{"names":[],"action":"SCMP_ACT_ERRNO"}""", "linux.seccomp.syscalls[0].names: must name at least one syscall")]
    [InlineData("""{"names":["read",""],"action":"SCMP_ACT_ERRNO"}""", "linux.seccomp.syscalls[0].names[1]: empty syscall name")]
    [InlineData("""{"names":["read","write"],"action":"SCMP_ACT_NOTIFY"}""", "linux.seccomp.syscalls[0].names[1]: SCMP_ACT_NOTIFY cannot be used for the write syscall")]
    public void Bad_rule(string rule, string message) =>
        ShouldFail($$"""{"defaultAction":"SCMP_ACT_ALLOW","listenerPath":"/s","syscalls":[{{rule}}]}""", message);

    [Theory]
    [InlineData("""{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_X86_64","SCMP_ARCH_VAX"]}""", "linux.seccomp.architectures[1]: unknown architecture \"SCMP_ARCH_VAX\"")]
    [InlineData("""{"defaultAction":"SCMP_ACT_ALLOW","flags":["SECCOMP_FILTER_FLAG_LOG","SECCOMP_FILTER_FLAG_FAST"]}""", "linux.seccomp.flags[1]: unknown flag \"SECCOMP_FILTER_FLAG_FAST\"")]
    [InlineData("""{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["read"],"action":"SCMP_ACT_NOTIFY"}]}""", "linux.seccomp.listenerPath: must be set when SCMP_ACT_NOTIFY is used")]
    [InlineData("""{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["read"],"action":"SCMP_ACT_ERRNO"},null]}""", "linux.seccomp.syscalls[1]: must be an object, not null")]
    public void Bad_profile(string json, string message) => ShouldFail(json, message);

    [Theory]
    [InlineData("null", SpecAllow)]
    [InlineData("[]", 0u)]
    [InlineData("""["SECCOMP_FILTER_FLAG_TSYNC","SECCOMP_FILTER_FLAG_LOG","SECCOMP_FILTER_FLAG_SPEC_ALLOW","SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"]""", 1u | 2 | 4 | 32)]
    public void Flags_map_to_the_kernel_bits(string flags, uint expected) =>
        Compile($$"""{"defaultAction":"SCMP_ACT_ALLOW","flags":{{flags}}}""").Flags.Should().Be(expected);

    [Fact]
    public void Notify_is_exposed_and_tsync_gets_esrch()
    {
        var c = Compile("""
            {"defaultAction":"SCMP_ACT_ALLOW","listenerPath":"/run/agent.sock","flags":["SECCOMP_FILTER_FLAG_TSYNC"],
             "syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_NOTIFY"}]}
            """);
        c.UsesNotify.Should().BeTrue();
        c.Flags.Should().Be(1u | 16, "the kernel refuses TSYNC with NEW_LISTENER unless TSYNC_ESRCH is set");
    }

    [Fact]
    public void Every_action_compiles()
    {
        foreach (var action in new[] { "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP",
                     "SCMP_ACT_ERRNO", "SCMP_ACT_TRACE", "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY" })
            Compile($$"""
                {"defaultAction":"SCMP_ACT_ALLOW","listenerPath":"/s","syscalls":[{"names":["mkdir"],"action":"{{action}}"}]}
                """).Bpf.Should().NotBeEmpty(action);
    }

    [Fact]
    public void Unknown_syscalls_are_skipped()
    {
        var known = Compile("""{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_ERRNO"}]}""");
        var withUnknown = Compile("""{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["no_such_call","mkdir"],"action":"SCMP_ACT_ERRNO"}]}""");
        withUnknown.Bpf.Should().Equal(known.Bpf);
    }

    [Fact]
    public void Rules_with_the_default_action_are_skipped_but_another_errno_is_not()
    {
        // ERRNO(ENOSYS) as the default: no -ENOSYS stub, whose bar the skipped rule would raise.
        var none = Compile("""{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":38}""");
        Compile("""{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":38,"syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_ERRNO","errnoRet":38}]}""")
            .Bpf.Should().Equal(none.Bpf, "ERRNO(ENOSYS) is the default action");
        Compile("""{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":38,"syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_ERRNO","errnoRet":1}]}""")
            .Bpf.Should().NotEqual(none.Bpf);
    }

    [Fact]
    public void Architectures_are_added_and_the_native_one_may_be_named()
    {
        const uint AuditArchX86_64 = 0xC000003E, AuditArchI386 = 0x40000003;
        var native = Compile("""{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_X86_64"]}""");
        var both = Compile("""{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_X86_64","SCMP_ARCH_X86"]}""");
        Constants(native.Bpf).Should().Contain(AuditArchX86_64).And.NotContain(AuditArchI386);
        Constants(both.Bpf).Should().Contain(new[] { AuditArchX86_64, AuditArchI386 });
    }

    /// <summary>The k field of each struct sock_filter { u16 code; u8 jt, jf; u32 k; }.</summary>
    static IEnumerable<uint> Constants(byte[] bpf) =>
        Enumerable.Range(0, bpf.Length / 8).Select(i => BitConverter.ToUInt32(bpf, i * 8 + 4));

    [Theory]
    [InlineData(null, false)]
    [InlineData("""{"defaultAction":""}""", false)]
    [InlineData("""{"defaultAction":"SCMP_ACT_ALLOW"}""", true)]
    public void Enabled_follows_runc(string? json, bool enabled) =>
        SeccompCompiler.IsEnabled(json == null ? null : Profiles.Parse(json)).Should().Be(enabled);
}
