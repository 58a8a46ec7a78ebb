using System.Text;
using CsRun.Linux;

namespace CsRun.Diagnostics;

/// <summary>
/// stdout/stderr through write(2). System.Console is avoided on purpose: on Unix it installs
/// signal and terminal handlers (SIGCHLD, SIGCONT, SIGINT) and costs start-up time.
/// </summary>
internal static class Output
{
    public static void Out(string s) => Write(1, s);
    public static void OutLine(string s) => Write(1, s + "\n");
    public static void ErrLine(string s) => Write(2, s + "\n");

    public static void Write(int fd, string s) => Files.WriteAll(fd, Encoding.UTF8.GetBytes(s));
}
