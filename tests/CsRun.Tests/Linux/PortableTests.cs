using System.Diagnostics;
using CsRun.Linux;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Linux;

/// <summary>poll and dup2 on ppoll and dup3 (arm64 has neither old call): the old semantics, on the real kernel.</summary>
public unsafe class PortableTests
{
    [Fact]
    public void Dup2_of_an_fd_onto_itself_returns_it_and_a_closed_fd_is_EBADF()
    {
        int* fds = stackalloc int[2];
        Libc.Sys(Nr.Pipe2, (long)fds, O.CloExec).Should().Be(0);
        try
        {
            Portable.Dup2Raw(fds[0], fds[0]).Should().Be(fds[0], "dup2(fd, fd) is fd where dup3 says EINVAL");
            long copy = Portable.Dup2Raw(fds[0], 900);
            copy.Should().Be(900);
            Libc.Sys(Nr.Close, 900);
            Portable.Dup2Raw(900, 900).Should().Be(-Errno.EBADF);
        }
        finally
        {
            Libc.Sys(Nr.Close, fds[0]);
            Libc.Sys(Nr.Close, fds[1]);
        }
    }

    [Fact]
    public void Poll_times_out_after_the_milliseconds_given_and_sees_data()
    {
        int* fds = stackalloc int[2];
        Libc.Sys(Nr.Pipe2, (long)fds, O.CloExec).Should().Be(0);
        try
        {
            long pfd = (long)(uint)fds[0] | (1L << 32); // struct pollfd { int fd; short events = POLLIN; short revents; }
            var clock = Stopwatch.StartNew();
            Portable.Poll(&pfd, 1, 120).Should().Be(0);
            clock.ElapsedMilliseconds.Should().BeGreaterThanOrEqualTo(110);
            byte b = 1;
            Libc.Sys(Nr.Write, fds[1], (long)&b, 1).Should().Be(1);
            Portable.Poll(&pfd, 1, -1).Should().Be(1, "a negative timeout waits, and data is there");
            Portable.PollRaw(&pfd, 1, 0).Should().Be(1);
        }
        finally
        {
            Libc.Sys(Nr.Close, fds[0]);
            Libc.Sys(Nr.Close, fds[1]);
        }
    }
}
