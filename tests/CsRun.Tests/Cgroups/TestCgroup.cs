using System.Diagnostics;
using CsRun.Cgroups;
using CsRun.Errors;
using CsRun.Spec;

namespace CsRun.Tests.Cgroups;

/// <summary>
/// A real cgroup, "/csrun-test-GUID" in every hierarchy, and the /bin/sleep processes a test
/// puts in it. Dispose leaves neither behind, whatever the test did or how it failed.
/// </summary>
internal sealed class TestCgroup : IDisposable
{
    readonly List<Process> _processes = new();

    public TestCgroup(string? cgroupsPath = null)
        : this(name => CgroupManager.ForContainer(name, cgroupsPath ?? "/" + name, systemd: false))
    {
    }

    /// <summary>With a manager made from the test's unique name.</summary>
    public TestCgroup(Func<string, ICgroupManager> manager)
    {
        Name = "csrun-test-" + Guid.NewGuid().ToString("N");
        Manager = manager(Name);
    }

    public string Name { get; }
    public ICgroupManager Manager { get; }

    public string Dir(string controller) => Manager.Paths[controller];

    public string Read(string controller, string file) => File.ReadAllText(Path.Combine(Dir(controller), file)).Trim();

    public Process Sleep() => Spawn(new ProcessStartInfo("/bin/sleep", "100"));

    /// <summary>A shell running the script, reading from a pipe the test writes to.</summary>
    public Process Shell(string script) =>
        Spawn(new ProcessStartInfo("/bin/sh") { ArgumentList = { "-c", script }, RedirectStandardInput = true });

    public Process Spawn(ProcessStartInfo info)
    {
        info.UseShellExecute = false;
        var p = Process.Start(info)!;
        _processes.Add(p);
        return p;
    }

    /// <summary>Created, with one sleeping process in it, resources applied: the create path's order.</summary>
    public Process Started(Resources? resources = null)
    {
        Manager.Create(resources);
        var p = Sleep();
        Manager.AddProcess(p.Id);
        Manager.Apply(resources);
        return p;
    }

    public void Dispose()
    {
        // Thaw first: a frozen process cannot die.
        Try(() => Manager.Freeze(false));
        foreach (var p in _processes)
        {
            Try(() =>
            {
                if (!p.HasExited) p.Kill();
                p.WaitForExit(5000);
            });
            p.Dispose();
        }
        Try(Manager.Destroy);
        // Safety net for a broken Destroy: remove whatever is left, sub-cgroups first.
        foreach (string dir in Manager.Paths.Values.Distinct()) CgroupDirs.Remove(dir);
    }

    static void Try(Action action)
    {
        try
        {
            action();
        }
        catch (Exception e) when (e is RuntimeError or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // cleanup is best effort; the assertions already ran
        }
    }
}
