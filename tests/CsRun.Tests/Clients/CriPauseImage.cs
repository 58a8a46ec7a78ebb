using System.Text.Json.Nodes;
using CsRun.Tests.Integration;

namespace CsRun.Tests.Clients;

/// <summary>
/// The pod sandbox ("pause") image the CRI plugin starts first in every pod, built locally: a
/// static C program that holds the pod's namespaces, reaps orphans and exits on TERM or INT,
/// alone in a one-layer image (no registry is reachable to pull the upstream one).
/// </summary>
internal static class CriPauseImage
{
    public const string Name = "localhost/csrun-pause:test";

    const string Source = """
        #include <signal.h>
        #include <string.h>
        #include <sys/wait.h>
        #include <unistd.h>

        static void quit(int sig) { (void)sig; _exit(0); }
        static void reap(int sig) { (void)sig; while (waitpid(-1, 0, WNOHANG) > 0) {} }

        int main(void) {
            struct sigaction sa;
            memset(&sa, 0, sizeof sa);
            sa.sa_handler = quit;
            sigaction(SIGINT, &sa, 0);
            sigaction(SIGTERM, &sa, 0);
            sa.sa_handler = reap;
            sa.sa_flags = SA_NOCLDSTOP;
            sigaction(SIGCHLD, &sa, 0);
            for (;;) pause();
        }
        """;

    /// <summary>Compiles the pause program and builds its image under <paramref name="dir"/>; returns the archive's path.</summary>
    public static string Build(string dir)
    {
        Directory.CreateDirectory(dir);
        string src = Path.Combine(dir, "pause.c"), bin = Path.Combine(dir, "pause");
        File.WriteAllText(src, Source);
        var r = CsrunCli.RunProgram("clang", new[] { "-static", "-Os", "-s", "-o", bin, src });
        if (r.ExitCode != 0) throw new InvalidOperationException("building the pause program: " + r);
        return OciImage.Build(dir, Name, rootfs =>
        {
            Directory.CreateDirectory(rootfs);
            File.Copy(bin, Path.Combine(rootfs, "pause"));
        }, new JsonObject
        {
            ["Entrypoint"] = new JsonArray("/pause"),
            ["User"] = "65535:65535",
        });
    }
}
