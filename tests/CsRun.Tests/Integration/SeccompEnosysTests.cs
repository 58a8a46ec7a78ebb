using CsRun.Tests.Seccomp;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Integration;

/// <summary>
/// runc's -ENOSYS stub, seen from inside a container (syscall-probe.c makes raw syscalls): under
/// a profile that refuses by default, a syscall numbered above every one the profile names
/// fails with ENOSYS (glibc then falls back to an older call), one below it that the profile
/// leaves out gets the default action. Outputs checked against runc 1.1.5 on the same bundle.
/// </summary>
public class SeccompEnosysTests
{
    const int Getpid = 39, Getppid = 110, Faccessat2 = 439, Unassigned = 1000;

    // What a static glibc binary and csrun's last steps before the exec need; rseq (334) is
    // the highest number here, so faccessat2 (439) is "newer than the profile".
    const string Allowed = """
        "execve","brk","arch_prctl","set_tid_address","set_robust_list","rseq","prlimit64","mprotect",
        "write","exit_group","exit","uname","readlink","readlinkat","getrandom","newfstatat","fstat","mmap","munmap",
        "futex","rt_sigaction","rt_sigprocmask","rt_sigreturn","sigaltstack","nanosleep","sched_yield",
        "tgkill","gettid","getpid","close","fcntl","read","openat","capget","capset","prctl","setgroups",
        "setresuid","setresgid","ioctl","madvise","dup3","chdir","fchdir","statfs","fstatfs","getdents64","lseek"
        """;

    static readonly Lazy<string> ProbeExe = new(() => StaticProbe.Build("Seccomp/syscall-probe.c"));

    static string[] Probe(string seccompJson)
    {
        using var b = new Bundle("/bin/probe", $"{Getpid}", $"{Getppid}", $"{Faccessat2}", $"{Unassigned}");
        File.Copy(ProbeExe.Value, Path.Combine(b.Rootfs, "bin", "probe"));
        b.Config.Linux!.Seccomp = Profiles.Parse(seccompJson);
        var r = b.Run();
        r.ExitCode.Should().Be(0, r.ToString());
        return r.Stdout.Trim().Split('\n');
    }

    [Theory]
    [InlineData("""["SCMP_ARCH_X86_64"]""")]
    [InlineData("""["SCMP_ARCH_X86_64","SCMP_ARCH_X86","SCMP_ARCH_X32"]""")]
    // runc 1.1.5 adds no stub without an architectures list; later runc, and csrun, imply the
    // native one.
    [InlineData("null")]
    public void A_deny_by_default_profile_answers_syscalls_newer_than_itself_with_enosys(string architectures) =>
        Probe($$"""
            {"defaultAction":"SCMP_ACT_ERRNO","architectures":{{architectures}},
             "syscalls":[{"names":[{{Allowed}}],"action":"SCMP_ACT_ALLOW"}]}
            """).Should().Equal($"{Getpid} ret 1", $"{Getppid} errno 1", $"{Faccessat2} errno 38", $"{Unassigned} errno 38");

    [Fact]
    public void A_syscall_name_libseccomp_does_not_know_is_skipped_and_does_not_raise_the_bar() =>
        Probe($$"""
            {"defaultAction":"SCMP_ACT_KILL_PROCESS","architectures":["SCMP_ARCH_X86_64"],
             "syscalls":[{"names":[{{Allowed}},"getppid","getppid_of_the_future"],"action":"SCMP_ACT_ALLOW"}]}
            """).Should().Equal(
            $"{Getpid} ret 1", $"{Getppid} ret 0", $"{Faccessat2} errno 38", $"{Unassigned} errno 38");

    [Fact]
    public void An_allow_by_default_profile_leaves_new_syscalls_to_the_kernel() =>
        Probe("""
            {"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_X86_64"],
             "syscalls":[{"names":["getppid"],"action":"SCMP_ACT_ERRNO"}]}
            """).Should().Equal($"{Getpid} ret 1", $"{Getppid} errno 1", $"{Faccessat2} errno 14", $"{Unassigned} errno 38");
}
