using System.Diagnostics;
using System.Security.Cryptography;
using CsRun.Tests.Integration;
using FluentAssertions;

namespace CsRun.Tests.Security;

/// <summary>
/// What the attack tests share: a private copy of csrun (the victim: an attack that works on a
/// broken build overwrites the copy, never out/csrun), the hunter program (hunter.c, static, put
/// into an image), and a file that exists only on the host for escapes to aim at.
/// </summary>
internal sealed class Attacker : IDisposable
{
    static readonly Lazy<string> HunterBinary = new(BuildHunter);

    public string Dir { get; } = Directory.CreateTempSubdirectory("csrun-attack-").FullName;
    public string Victim => Path.Combine(Dir, "csrun");
    /// <summary>A host-only file, as a path relative to the host's root.</summary>
    public string HostMarker { get; }
    public string VictimHash { get; }
    public (ulong Dev, ulong Ino) VictimId { get; }

    public Attacker()
    {
        File.Copy(TestHost.Csrun, Victim);
        File.SetUnixFileMode(Victim, (UnixFileMode)0x1ed);
        VictimHash = Hash();
        CsRun.Linux.Files.Stat(Victim, out var id).Should().Be(0);
        VictimId = (id.Dev, id.Ino);
        Directory.CreateDirectory(Path.Combine(Dir, "hostonly"));
        File.WriteAllText(Path.Combine(Dir, "hostonly", "marker"), "host\n");
        File.Copy("/bin/busybox", Path.Combine(Dir, "hostonly", "echo"));
        HostMarker = Path.Combine(Dir, "hostonly", "marker").TrimStart('/');
    }

    public string Hash() => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(Victim)));

    /// <summary>The victim csrun with the bundle's --root (config saved first).</summary>
    public CliResult Csrun(Bundle b, params string[] args)
    {
        b.Save();
        return CsrunCli.RunProgram(Victim, new[] { "--root", b.StateRoot }.Concat(args));
    }

    /// <summary>The hunter at /bin/hunter in the bundle's rootfs.</summary>
    public static void Arm(Bundle b)
    {
        File.Copy(HunterBinary.Value, Path.Combine(b.Rootfs, "bin", "hunter"));
        b.Config.Root!.Readonly = false; // the hunter writes its report to /tmp
    }

    /// <summary>
    /// glibc's loader and libc in the image, as most real images have them: without them the
    /// kernel cannot load csrun's image in the container at all (ENOENT for the interpreter),
    /// and an attack on csrun's image would fail for the wrong reason.
    /// </summary>
    public static void AddGlibc(Bundle b)
    {
        foreach (var lib in new[] { "/lib64/ld-linux-x86-64.so.2", "/lib/x86_64-linux-gnu/libc.so.6" })
        {
            string dest = Path.Combine(b.Rootfs, lib.TrimStart('/'));
            Directory.CreateDirectory(Path.GetDirectoryName(dest)!);
            File.Copy(new FileInfo(lib).ResolveLinkTarget(true)?.FullName ?? lib, dest);
        }
    }

    /// <summary>Start a hunter in the running container; <see cref="Report"/> stops it and reads its findings.</summary>
    public void StartHunt(Bundle b, string id)
    {
        var r = Csrun(b, "exec", "-d", id, "/bin/hunter", "hunt", VictimId.Dev.ToString(), VictimId.Ino.ToString(), HostMarker, "/tmp/go", "/tmp/report");
        r.ExitCode.Should().Be(0, r.ToString());
    }

    public static string Report(Bundle b)
    {
        File.WriteAllText(Path.Combine(b.Rootfs, "tmp", "go"), "");
        string report = Path.Combine(b.Rootfs, "tmp", "report");
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (File.Exists(report) && File.ReadAllText(report).Contains("scans=")) return File.ReadAllText(report);
            Thread.Sleep(50);
        }
        throw new TimeoutException("the hunter wrote no report");
    }

    /// <summary>All capabilities a container without CAP_SYS_PTRACE has, plus CAP_SYS_PTRACE.</summary>
    public static void GrantPtrace(Bundle b)
    {
        var caps = b.Config.Process!.Capabilities!;
        foreach (var set in new[] { caps.Bounding!, caps.Effective!, caps.Permitted! }) set.Add("CAP_SYS_PTRACE");
    }

    static string BuildHunter()
    {
        string dir = Directory.CreateTempSubdirectory("csrun-hunter-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(dir, recursive: true);
        string exe = Path.Combine(dir, "hunter");
        Run("cc", "-static", "-O2", "-Wall", "-o", exe, Path.Combine(AppContext.BaseDirectory, "Security", "hunter.c"));
        return exe;
    }

    static string Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        p.ExitCode.Should().Be(0, $"{file} {string.Join(" ", args)}: {err.Result}");
        return stdout.Trim();
    }

    public void Dispose()
    {
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
