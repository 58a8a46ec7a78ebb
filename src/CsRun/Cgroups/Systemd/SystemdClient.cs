using CsRun.Diagnostics;
using CsRun.Errors;


namespace CsRun.Cgroups.Systemd;

/// <summary>
/// The few calls of systemd's manager object (org.freedesktop.systemd1.Manager) that a cgroup
/// driver needs, over one <see cref="DBusConnection"/>. Starting and stopping units are jobs:
/// the call returns the job's object path at once, and the job's end arrives later as the
/// JobRemoved signal, whose result is "done" when it worked.
/// </summary>
internal sealed class SystemdClient : IDisposable
{
    const string Dest = "org.freedesktop.systemd1", Path = "/org/freedesktop/systemd1";
    const string Manager = "org.freedesktop.systemd1.Manager";
    public const string UnitExists = "org.freedesktop.systemd1.UnitExists";
    public const string NoSuchUnit = "org.freedesktop.systemd1.NoSuchUnit";

    readonly DBusConnection _bus;
    int? _version;

    public SystemdClient(DBusConnection bus) => _bus = bus;

    /// <summary>The system instance, or with user the caller's own (systemd --user).</summary>
    public static SystemdClient Connect(bool user = false) =>
        On(user ? DBusConnection.ConnectUserManager() : DBusConnection.ConnectSystemBus());

    /// <summary>A client over that connection, which it then owns.</summary>
    internal static SystemdClient On(DBusConnection bus)
    {
        try
        {
            // JobRemoved is broadcast; a bus daemon only forwards it to connections that asked.
            // systemd sends it to every direct (private socket) connection anyway.
            if (!bus.IsPeer) bus.AddMatch($"type='signal',sender='{Dest}',path='{Path}',interface='{Manager}',member='JobRemoved'");
            return new SystemdClient(bus);
        }
        catch
        {
            bus.Dispose();
            throw;
        }
    }

    /// <summary>systemd's version number ("252.22-1~deb12u1" is 252), or -1 if it cannot be read.</summary>
    public int Version
    {
        get
        {
            if (_version is int v) return v;
            try
            {
                var reply = _bus.Call(Dest, Path, "org.freedesktop.DBus.Properties", "Get", "ss", w =>
                {
                    w.String(Manager);
                    w.String("Version");
                });
                _version = ParseVersion(reply.Body().VariantString());
            }
            catch (RuntimeError e)
            {
                Log.Warn($"unable to get the systemd version: {e.Message}");
                _version = -1;
            }
            return _version.Value;
        }
    }

    /// <summary>
    /// The manager's own cgroup ("/user.slice/user-1000.slice/user@1000.service" for a user
    /// instance, "/" for the system one): its units' cgroups are below it.
    /// </summary>
    public string ControlGroup()
    {
        var reply = _bus.Call(Dest, Path, "org.freedesktop.DBus.Properties", "Get", "ss", w =>
        {
            w.String(Manager);
            w.String("ControlGroup");
        });
        return reply.Body().VariantString() ?? "";
    }

    /// <summary>The leading number of "v245.4-1.fc32", "245", "\"252.22-1\""; -1 if none.</summary>
    internal static int ParseVersion(string? text)
    {
        string s = (text ?? "").TrimStart('"', 'v');
        int n = 0;
        while (n < s.Length && char.IsAsciiDigit(s[n])) n++;
        return n > 0 && int.TryParse(s.AsSpan(0, n), out int v) ? v : -1;
    }

    /// <summary>StartTransientUnit(name, "replace", properties, no aux units); returns the job path.</summary>
    public string StartTransientUnit(string unit, IReadOnlyList<UnitProperty> props)
    {
        var reply = _bus.Call(Dest, Path, Manager, "StartTransientUnit", "ssa(sv)a(sa(sv))", w =>
        {
            w.String(unit);
            w.String("replace");
            UnitProperty.WriteAll(w, props);
            w.EndArray(w.BeginArray(8));
        });
        return reply.Body().String();
    }

    /// <summary>StopUnit(name, "replace"); returns the job path.</summary>
    public string StopUnit(string unit) =>
        _bus.Call(Dest, Path, Manager, "StopUnit", "ss", w =>
        {
            w.String(unit);
            w.String("replace");
        }).Body().String();

    public void ResetFailedUnit(string unit) =>
        _bus.Call(Dest, Path, Manager, "ResetFailedUnit", "s", w => w.String(unit));

    /// <summary>SetUnitProperties(name, runtime, properties): runtime ones last until reboot.</summary>
    public void SetUnitProperties(string unit, bool runtime, IReadOnlyList<UnitProperty> props) =>
        _bus.Call(Dest, Path, Manager, "SetUnitProperties", "sba(sv)", w =>
        {
            w.String(unit);
            w.Bool(runtime);
            UnitProperty.WriteAll(w, props);
        });

    /// <summary>Waits for JobRemoved(id, job, unit, result) of the job; returns the result.</summary>
    public string WaitForJob(string job)
    {
        string? result = null;
        _bus.WaitForSignal(m =>
        {
            if (m.Member != "JobRemoved" || m.Interface != Manager || m.Signature != "uoss") return false;
            var r = m.Body();
            r.UInt32();
            if (r.String() != job) return false;
            r.String();
            result = r.String();
            return true;
        }, $"systemd job {job}");
        return result!;
    }

    public TimeSpan Timeout
    {
        get => _bus.Timeout;
        set => _bus.Timeout = value;
    }

    public void Dispose() => _bus.Dispose();
}
