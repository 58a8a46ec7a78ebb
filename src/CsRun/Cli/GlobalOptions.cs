namespace CsRun.Cli;

/// <summary>Options that come before the command, as runc takes them.</summary>
internal sealed record GlobalOptions
{
    public string Root { get; init; } = "/run/csrun";
    public bool SystemdCgroup { get; init; }
    public bool Debug { get; init; }

    public static readonly FlagSpec[] Flags =
    {
        new("root", null, true, "root directory for storage of container state (default: \"/run/csrun\")"),
        new("log", null, true, "set the log file to write csrun logs to (default is '/dev/stderr')"),
        new("log-format", null, true, "set the log format ('text' (default), or 'json')"),
        new("debug", null, false, "enable debug logging"),
        new("systemd-cgroup", null, false, "enable systemd cgroup support"),
        new("criu", null, true, "ignored, with a warning (runc 1.2 alike): csrun has no checkpoint or restore"),
        new("rootless", null, true, "ignore cgroup permission errors ('true', 'false', or 'auto')"),
        new("version", "v", false, "print the version"),
        new("help", "h", false, "show help"),
    };
}
