using System.Diagnostics;

namespace CsRun.Tests.Integration;

/// <summary>A test's C helper built once, statically (busybox rootfs has no libc), into a temp
/// directory removed when the test process exits.</summary>
internal static class StaticProbe
{
    /// <summary><paramref name="source"/> is relative to the test output directory.</summary>
    public static string Build(string source)
    {
        string dir = Directory.CreateTempSubdirectory("csrun-" + Path.GetFileNameWithoutExtension(source) + "-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(dir, recursive: true);
        string exe = Path.Combine(dir, "probe");
        var psi = new ProcessStartInfo("cc") { RedirectStandardError = true };
        foreach (var a in new[] { "-static", "-O2", "-Wall", "-o", exe, Path.Combine(AppContext.BaseDirectory, source) })
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"cc {source}: {err}");
        return exe;
    }
}
