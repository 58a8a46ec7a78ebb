using System.Diagnostics;
using System.Text;
using CsRun.Cgroups.Systemd;
using CsRun.Errors;

namespace CsRun.Tests.Cgroups;

/// <summary>
/// A private dbus-daemon (the reference implementation, which checks every message against
/// its signature) with a fake systemd on it: a connection that owns org.freedesktop.systemd1
/// and answers the manager calls csrun makes, sending JobRemoved as systemd does. Optionally
/// it also does what systemd does to cgroups: makes the scope's directory and moves the PIDs
/// into it on start, removes it on stop. dbus-monitor can watch the bus for an independent
/// decoding of what csrun sent.
/// </summary>
internal sealed class FakeSystemdBus : IDisposable
{
    const string Manager = "org.freedesktop.systemd1.Manager";

    readonly string _dir;
    readonly Process _daemon;
    readonly DBusConnection _systemd;
    readonly Thread _thread;
    readonly object _lock = new();
    readonly List<DBusMessage> _calls = new();
    uint _jobs;

    public FakeSystemdBus()
    {
        _dir = Path.Combine(Path.GetTempPath(), "csrun-test-dbus-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(_dir);
        Socket = Path.Combine(_dir, "bus");
        _daemon = Process.Start(new ProcessStartInfo("dbus-daemon")
        {
            ArgumentList = { "--session", "--nofork", "--nopidfile", "--print-address=1", "--address=unix:path=" + Socket },
            UseShellExecute = false, RedirectStandardOutput = true,
        })!;
        try
        {
            // The address is printed once the daemon listens.
            _daemon.StandardOutput.ReadLine();
            _systemd = DBusConnection.Connect(Socket);
            _systemd.Timeout = TimeSpan.FromHours(1); // it serves until the daemon goes
            var reply = _systemd.Call("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "RequestName", "su", w =>
            {
                w.String("org.freedesktop.systemd1");
                w.UInt32(4); // DBUS_NAME_FLAG_DO_NOT_QUEUE
            });
            if (reply.Body().UInt32() != 1) throw new InvalidOperationException("fake systemd did not get its name");
        }
        catch
        {
            StopDaemon();
            throw;
        }
        _thread = new Thread(Serve) { IsBackground = true, Name = "fake systemd" };
        _thread.Start();
    }

    public string Socket { get; }

    public string Version { get; set; } = "252.22-1~deb12u1";

    /// <summary>The result JobRemoved reports for start jobs.</summary>
    public string StartResult { get; set; } = "done";

    /// <summary>Answer the next StartTransientUnit with UnitExists.</summary>
    public bool UnitExistsOnce { get; set; }

    /// <summary>Units that are "loaded": StopUnit of another gets NoSuchUnit.</summary>
    public HashSet<string> Units { get; } = new();

    /// <summary>Where the unified hierarchy is, to act on cgroups as systemd would; null: no cgroup work.</summary>
    public Func<string, string>? CgroupDirOf { get; set; }

    public List<DBusMessage> Calls
    {
        get
        {
            lock (_lock) return _calls.ToList();
        }
    }

    public List<string> Members => Calls.Select(m => m.Member ?? "").ToList();

    void Serve()
    {
        try
        {
            while (true)
            {
                var m = _systemd.Next();
                if (m.Type != DBusMessageType.MethodCall) continue;
                lock (_lock) _calls.Add(m);
                Answer(m);
            }
        }
        catch (RuntimeError)
        {
            // the daemon went away: the test is over
        }
    }

    void Answer(DBusMessage m)
    {
        switch (m.Member)
        {
            case "Get":
                Reply(m, "v", w =>
                {
                    w.Signature("s");
                    w.String(Version);
                });
                break;
            case "StartTransientUnit":
                {
                    var r = m.Body();
                    string unit = r.String();
                    if (UnitExistsOnce)
                    {
                        UnitExistsOnce = false;
                        Error(m, SystemdClient.UnitExists, $"Unit {unit} was already loaded or has a fragment file.");
                        break;
                    }
                    r.String();
                    var pids = PidsOf(r);
                    if (CgroupDirOf != null && StartResult == "done")
                    {
                        string dir = CgroupDirOf(unit);
                        Directory.CreateDirectory(dir);
                        foreach (uint pid in pids) File.WriteAllText(Path.Combine(dir, "cgroup.procs"), pid.ToString());
                    }
                    Units.Add(unit);
                    Job(m, unit, StartResult);
                    break;
                }
            case "StopUnit":
                {
                    string unit = m.Body().String();
                    if (!Units.Remove(unit))
                    {
                        Error(m, SystemdClient.NoSuchUnit, $"Unit {unit} not loaded.");
                        break;
                    }
                    if (CgroupDirOf != null) CsRun.Cgroups.CgroupDirs.Remove(CgroupDirOf(unit));
                    Job(m, unit, "done");
                    break;
                }
            default:
                Reply(m, "", null);
                break;
        }
    }

    /// <summary>The PIDs property from StartTransientUnit's a(sv), read after name and mode.</summary>
    static List<uint> PidsOf(DBusReader r)
    {
        var pids = new List<uint>();
        int end = r.BeginArray(8);
        while (r.Position < end)
        {
            r.Align(8);
            string name = r.String();
            string sig = r.Signature();
            if (name == "PIDs" && sig == "au")
            {
                int e = r.BeginArray(4);
                while (r.Position < e) pids.Add(r.UInt32());
            }
            else r.Skip(sig);
        }
        return pids;
    }

    void Job(DBusMessage m, string unit, string result)
    {
        uint id = ++_jobs;
        string job = "/org/freedesktop/systemd1/job/" + id;
        Reply(m, "o", w => w.ObjectPath(job));
        _systemd.SendMessage(DBusMessage.Encode(DBusMessageType.Signal, _systemd.NextSerial(),
            new DBusHeader { Path = "/org/freedesktop/systemd1", Interface = Manager, Member = "JobRemoved" }, "uoss", w =>
            {
                w.UInt32(id);
                w.ObjectPath(job);
                w.String(unit);
                w.String(result);
            }));
    }

    void Reply(DBusMessage m, string sig, Action<DBusWriter>? body) =>
        _systemd.SendMessage(DBusMessage.Encode(DBusMessageType.MethodReturn, _systemd.NextSerial(),
            new DBusHeader { ReplySerial = m.Serial, Destination = m.Sender }, sig, body));

    void Error(DBusMessage m, string name, string text) =>
        _systemd.SendMessage(DBusMessage.Encode(DBusMessageType.Error, _systemd.NextSerial(),
            new DBusHeader { ErrorName = name, ReplySerial = m.Serial, Destination = m.Sender }, "s", w => w.String(text)));

    /// <summary>
    /// Runs dbus-monitor on the bus while the action runs; returns what it printed once it
    /// printed <paramref name="last"/> (or after 10 s).
    /// </summary>
    public string Monitor(Action action, string last)
    {
        var output = new StringBuilder();
        using var monitor = Process.Start(new ProcessStartInfo("dbus-monitor")
        {
            ArgumentList = { "--address", "unix:path=" + Socket },
            UseShellExecute = false, RedirectStandardOutput = true,
        })!;
        var ready = new ManualResetEventSlim();
        var done = new ManualResetEventSlim();
        monitor.OutputDataReceived += (_, e) =>
        {
            lock (output) output.AppendLine(e.Data);
            if (e.Data?.Contains("NameLost") == true) ready.Set(); // it is a monitor now
            if (e.Data?.Contains(last) == true) done.Set();
        };
        monitor.BeginOutputReadLine();
        ready.Wait(10000);
        try
        {
            action();
            done.Wait(10000);
        }
        finally
        {
            monitor.Kill();
            monitor.WaitForExit(5000);
        }
        lock (output) return output.ToString();
    }

    public void Dispose()
    {
        StopDaemon();
        _thread.Join(5000);
        _systemd.Dispose();
    }

    void StopDaemon()
    {
        try
        {
            if (!_daemon.HasExited) _daemon.Kill();
            _daemon.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
        _daemon.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}
