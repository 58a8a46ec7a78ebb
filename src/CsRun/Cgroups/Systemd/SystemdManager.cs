using CsRun.Diagnostics;
using CsRun.Errors;
using CsRun.Linux;
using CsRun.Spec;

namespace CsRun.Cgroups.Systemd;

/// <summary>
/// --systemd-cgroup on a v2 host, as runc's systemd driver: systemd owns the container's cgroup
/// as a transient scope (StartTransientUnit with the first process and the limits as
/// properties, Delegate=yes), then the same writes as the cgroupfs driver go to the scope's
/// directory, which also adds what systemd has no property for (the device program, io, ...).
/// A scope cannot start empty, so the unit starts when the init process joins
/// (<see cref="AddProcess"/>); until then the resources are only remembered.
/// Delete stops the unit and waits for the stop job.
/// </summary>
internal sealed class SystemdManager : ICgroupManager
{
    /// <summary>runc waits 30 s for a start or stop job.</summary>
    /// <summary>The scope is made for a running process (its PIDs property): it must exist first.</summary>
    public string? CloneIntoDir => null;
    public IReadOnlyList<(string File, bool BestEffort)> SelfJoinFiles => Array.Empty<(string, bool)>();
    public void PrepareCloneDir() { }
    /// <summary>systemd makes the unit's slices itself.</summary>
    public void AnnounceParents(Action<string> announce) { }

    static readonly TimeSpan JobTimeout = TimeSpan.FromSeconds(30);

    readonly string _unitName;
    readonly SystemdUnit? _unit;
    readonly V2Manager _fs;
    readonly bool _user;
    Resources? _pending;
    bool _started;

    /// <summary>
    /// For a new container: nothing is made until the first process joins. With user, the unit
    /// belongs to the caller's systemd --user, whose own cgroup is managerCgroup (rootless:
    /// no device rules are written, as for cgroupfs).
    /// </summary>
    public SystemdManager(SystemdUnit unit, string mountPoint, bool user = false, string managerCgroup = "")
    {
        _unit = unit;
        _unitName = unit.UnitName;
        _user = user;
        _fs = new V2Manager(unit.CgroupDir(mountPoint.TrimEnd('/') + managerCgroup.TrimEnd('/')), mountPoint) { Rootless = user };
    }

    /// <summary>
    /// For an existing container, from the cgroup directory its state saved: the unit is the
    /// directory's name, and a directory below a user@UID.service belongs to that user's manager.
    /// </summary>
    public SystemdManager(string dir, string mountPoint)
    {
        _unitName = Path.GetFileName(dir.TrimEnd('/'));
        _user = InUserManager(dir);
        _fs = new V2Manager(dir, mountPoint) { Rootless = _user };
        _started = true;
    }

    /// <summary>Whether a cgroup directory lies below a "user@UID.service" (a user manager's own cgroup).</summary>
    internal static bool InUserManager(string dir) =>
        dir.Split('/').Any(part => part.StartsWith("user@", StringComparison.Ordinal)
            && part.EndsWith(".service", StringComparison.Ordinal)
            && part.Length > "user@.service".Length
            && part["user@".Length..^".service".Length].All(char.IsAsciiDigit));

    public string UnitName => _unitName;

    public IReadOnlyDictionary<string, string> Paths => _fs.Paths;

    string Dir => _fs.Paths[CgroupLayout.Unified];

    /// <summary>Remembers the resources for the unit's start; converts them now so that bad values fail before the clone.</summary>
    public void Create(Resources? resources)
    {
        _pending = resources;
        SystemdProperties.For(resources, int.MaxValue, out _);
        DeviceFilter.Compile(resources?.Devices);
    }

    public void Apply(Resources? resources)
    {
        if (!_started)
        {
            _pending = resources;
            return;
        }
        if (resources == null) return;
        Resources? adjusted;
        using (var systemd = Connect())
        {
            var props = SystemdProperties.For(resources, systemd.Version, out adjusted);
            if (props.Count > 0)
            {
                Log.Debug($"systemd: SetUnitProperties {_unitName}: {string.Join(' ', props)}");
                systemd.SetUnitProperties(_unitName, true, props);
            }
        }
        _fs.Apply(adjusted);
    }

    /// <summary>The first call starts the scope with that process in it, then applies the resources.</summary>
    public void AddProcess(int pid, CgroupJoined already = CgroupJoined.None)
    {
        if (_started)
        {
            _fs.AddProcess(pid);
            return;
        }
        Resources? adjusted;
        using (var systemd = Connect())
        {
            int version = systemd.Version;
            var props = SystemdProperties.ForStart(_unit!, pid, _pending, version);
            props.AddRange(SystemdProperties.For(_pending, version, out adjusted));
            Start(systemd, props);
        }
        _started = true;
        _fs.Create(adjusted);
        // A slice takes no PIDs property: the process joins through cgroupfs.
        if (_unit!.IsSlice) _fs.AddProcess(pid);
        _fs.Apply(adjusted);
    }

    void Start(SystemdClient systemd, List<UnitProperty> props)
    {
        Log.Debug($"systemd: StartTransientUnit {_unitName}: {string.Join(' ', props)}");
        string job;
        try
        {
            job = systemd.StartTransientUnit(_unitName, props);
        }
        catch (DBusErrorReply e) when (e.Name == SystemdClient.UnitExists)
        {
            // Perhaps a failed leftover of the same name: let systemd forget it, then once more.
            TryResetFailed(systemd);
            try
            {
                job = systemd.StartTransientUnit(_unitName, props);
            }
            catch (DBusErrorReply again)
            {
                throw new RuntimeError($"unable to start unit \"{_unitName}\": {again.Message}");
            }
        }
        catch (DBusErrorReply e)
        {
            throw new RuntimeError($"unable to start unit \"{_unitName}\" ({string.Join(' ', props)}): {e.Message}");
        }
        string result = systemd.WaitForJob(job);
        if (result != "done")
        {
            TryResetFailed(systemd);
            throw new RuntimeError($"error creating systemd unit `{_unitName}`: got `{result}`");
        }
    }

    public IReadOnlyList<int> Pids() => _fs.Pids();

    public void Freeze(bool frozen) => _fs.Freeze(frozen);

    public bool IsFrozen() => _fs.IsFrozen();

    public void SignalAll(int signal) => _fs.SignalAll(signal);

    public CgroupStats Stats() => _fs.Stats();

    /// <summary>
    /// Kills what is left first (so that stopping the scope does not wait for SIGTERM to time
    /// out), stops the unit and waits for the job, lets systemd forget a failed unit, and
    /// removes what systemd leaves behind (sub-cgroups the container made).
    /// </summary>
    public void Destroy()
    {
        if (!_started) return; // the unit was never ours: a same-named one must be left alone
        if (CgroupDirs.Exists(Dir)) KillAll();
        try
        {
            using var systemd = Connect();
            Stop(systemd);
        }
        catch (RuntimeError e) when (!CgroupDirs.Exists(Dir))
        {
            // Without the bus the unit cannot be stopped, but its cgroup is gone with its processes.
            Log.Warn($"systemd: stop {_unitName}: {e.Message}");
        }
        _fs.Destroy();
    }

    void Stop(SystemdClient systemd)
    {
        string job;
        try
        {
            job = systemd.StopUnit(_unitName);
        }
        catch (DBusErrorReply e) when (e.Name == SystemdClient.NoSuchUnit)
        {
            return; // already gone: systemd drops a scope whose processes all exited
        }
        string result = systemd.WaitForJob(job);
        if (result != "done") Log.Warn($"error removing unit `{_unitName}`: got `{result}`. Continuing...");
        TryResetFailed(systemd);
    }

    void KillAll()
    {
        if (_fs.IsFrozen()) _fs.Freeze(false);
        for (int i = 0; i < 100 && _fs.Pids().Count > 0; i++)
        {
            _fs.SignalAll(Sig.Kill);
            Thread.Sleep(i < 10 ? 1 : 50);
        }
    }

    void TryResetFailed(SystemdClient systemd)
    {
        try
        {
            systemd.ResetFailedUnit(_unitName);
        }
        catch (DBusErrorReply e)
        {
            Log.Debug($"systemd: ResetFailedUnit {_unitName}: {e.Message}");
        }
    }

    SystemdClient Connect()
    {
        var c = SystemdClient.Connect(_user);
        c.Timeout = JobTimeout;
        return c;
    }
}
