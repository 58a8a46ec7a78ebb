using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Integration;

/// <summary>
/// The process's stdio and terminal as runc 1.1.5 gives them: stdio that is a pipe, a socket or
/// a pty belongs to the process user (a file of the host keeps its owner), the pty's group is
/// devpts' (tty), every exec is a session leader.
/// </summary>
public class StdioTests
{
    /// <summary>`csrun run` with stdout a pipe (runc's own foreground run makes pipes too), stdin
    /// /dev/null and stderr a regular file of the host.</summary>
    static (int Exit, string Stdout) RunWithStdoutPipe(Bundle b, string stderrFile)
    {
        b.Save();
        var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, RedirectStandardOutput = true };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("exec \"$0\" \"$@\" </dev/null 2>>\"$STDERR_FILE\"");
        foreach (var a in new[] { TestHost.Csrun, "--root", b.StateRoot, "run", "-b", b.Dir, b.NewId() }) psi.ArgumentList.Add(a);
        psi.Environment["STDERR_FILE"] = stderrFile;
        using var p = Process.Start(psi)!;
        string stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit(60_000).Should().BeTrue();
        return (p.ExitCode, stdout);
    }

    [Fact]
    public void A_non_root_process_can_reopen_its_stdout_pipe_but_no_host_file_changes_owner()
    {
        using var b = new Bundle("sh", "-c",
            "echo reopened > /proc/self/fd/1 && echo via-dev-stdout > /dev/stdout && echo direct >&2; echo again > /proc/self/fd/2; exit 0");
        b.Config.Process!.User = new() { Uid = 1000, Gid = 1000 };
        string stderrFile = Path.Combine(b.Dir, "stderr.log");
        File.WriteAllText(stderrFile, "");
        var nullBefore = Stat("/dev/null");

        var (exit, stdout) = RunWithStdoutPipe(b, stderrFile);

        string stderr = File.ReadAllText(stderrFile);
        exit.Should().Be(0, stderr);
        stdout.Should().Be("reopened\nvia-dev-stdout\n", stderr);
        // The host's file stays root's (runc and crun hand it to uid 1000), so it cannot be reopened.
        stderr.Should().StartWith("direct\n").And.Contain("Permission denied");
        Stat(stderrFile).Should().Be((0u, 0u));
        Stat("/dev/null").Should().Be(nullBefore);
    }

    [Fact]
    public void The_pty_belongs_to_the_process_user_and_the_tty_group_for_run_and_exec()
    {
        using var b = new Bundle("sh", "-c", "stat -c %u:%g \"$(readlink /proc/self/fd/0)\"; sleep 100");
        b.Config.Process!.Terminal = true;
        b.Config.Process.User = new() { Uid = 1000, Gid = 1000 };
        var id = b.NewId();
        ReadPty(b, new[] { "run", "-d", "-b", b.Dir }, id).Should().Contain("1000:5");

        string execOut = ReadPty(b, new[] { "exec", "-d", "-t", "--user", "1001:1002" }, id,
            "sh", "-c", "stat -c %u:%g \"$(readlink /proc/self/fd/0)\"");
        execOut.Should().Contain("1001:5");
    }

    [Fact]
    public void An_exec_is_a_session_leader_with_or_without_a_terminal()
    {
        using var b = new Bundle("sleep", "100");
        var id = b.NewId();
        b.Csrun("run", "-d", "-b", b.Dir, id).ExitCode.Should().Be(0);
        // Field 6 of /proc/self/stat is the session; busybox sh's comm "(sh)" has no space.
        var r = b.Csrun("exec", id, "sh", "-c", "read -r pid comm state ppid pgrp sid rest < /proc/self/stat; echo $$ $pid $sid $pgrp");
        r.ExitCode.Should().Be(0, r.ToString());
        var f = r.Stdout.Trim().Split(' ');
        f[1].Should().Be(f[0]);
        f[2].Should().Be(f[0], "the exec'd process leads its own session, as under runc");
        f[3].Should().Be(f[0]);

        string tty = ReadPty(b, new[] { "exec", "-d", "-t" }, id,
            "sh", "-c", "read -r pid comm state ppid pgrp sid rest < /proc/self/stat; echo sid-$pid-$sid");
        var m = System.Text.RegularExpressions.Regex.Match(tty, @"sid-(\d+)-(\d+)");
        m.Success.Should().BeTrue(tty);
        m.Groups[2].Value.Should().Be(m.Groups[1].Value);
    }

    /// <summary>Run csrun with a console socket, take the pty master it sends and read until EOF
    /// (the process exited) or a few seconds passed.</summary>
    static unsafe string ReadPty(Bundle b, string[] command, string id, params string[] args)
    {
        string path = Path.Combine(b.Dir, "console-" + Guid.NewGuid().ToString("N")[..6] + ".sock");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen(1);
        var accepted = listener.AcceptAsync();
        var r = b.Csrun(command.Concat(new[] { "--console-socket", path, id }).Concat(args).ToArray());
        r.ExitCode.Should().Be(0, r.ToString());
        using var conn = accepted.Result;
        int master = TestSockets.ReceiveWithFd((int)conn.Handle).Fd;
        master.Should().BeGreaterThan(0);
        var output = new List<byte>();
        var buf = new byte[4096];
        var until = DateTime.UtcNow.AddSeconds(5);
        var pfd = stackalloc int[2];
        while (DateTime.UtcNow < until && !System.Text.Encoding.ASCII.GetString(output.ToArray()).Contains('\n'))
        {
            pfd[0] = master; pfd[1] = 1; // POLLIN
            if (poll(pfd, 1, 200) <= 0) continue;
            fixed (byte* p = buf)
            {
                long n = read(master, p, buf.Length);
                if (n <= 0) break;
                output.AddRange(buf.Take((int)n));
            }
        }
        close(master);
        File.Delete(path);
        return System.Text.Encoding.ASCII.GetString(output.ToArray());
    }

    static (uint Uid, uint Gid) Stat(string path)
    {
        var st = new byte[144];
        stat(path, st).Should().Be(0);
        return (BitConverter.ToUInt32(st, 28), BitConverter.ToUInt32(st, 32));
    }

    [DllImport("libc")] static extern unsafe long read(int fd, byte* buf, long count);
    [DllImport("libc")] static extern int close(int fd);
    [DllImport("libc")] static extern unsafe int poll(int* fds, long n, int timeout);
    [DllImport("libc")] static extern int stat(string path, byte[] buf);
}
