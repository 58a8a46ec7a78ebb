namespace CsRun.Cli;

/// <summary>The flags that come before the command (<see cref="Container.GlobalOptions"/>).</summary>
internal static class GlobalFlags
{
    /// <summary>In runc's order, so that --help lists them as runc does.</summary>
    public static readonly FlagSpec[] Flags =
    {
        new("debug", null, false, "enable debug logging"),
        new("log", null, true, "set the log file to write csrun logs to (default is '/dev/stderr')"),
        new("log-format", null, true, "set the log format ('text' (default), or 'json') (default: \"text\")"),
        new("root", null, true, "root directory for storage of container state (this should be located in tmpfs) (default: \"" + RootlessMode.DefaultRoot() + "\")"),
        new("criu", null, true, "path to the criu binary used for checkpoint and restore (default: \"criu\")"),
        new("systemd-cgroup", null, false, "enable systemd cgroup support, expects cgroupsPath to be of form \"slice:prefix:name\" for e.g. \"system.slice:csrun:434234\""),
        new("rootless", null, true, "ignore cgroup permission errors ('true', 'false', or 'auto') (default: \"auto\")"),
        new("help", "h", false, "show help"),
        new("version", "v", false, "print the version"),
    };
}
