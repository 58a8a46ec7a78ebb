using CsRun.Container;
using CsRun.Errors;

namespace CsRun.Cli;

/// <summary>The flags create and run share, and the request they make.</summary>
internal static class CreateFlags
{
    public static readonly FlagSpec[] Flags =
    {
        new("bundle", "b", true, "path to the root of the bundle directory, defaults to the current directory"),
        new("console-socket", null, true, "path to an AF_UNIX socket which will receive a file descriptor referencing the master end of the console's pseudoterminal"),
        new("pidfd-socket", null, true, "path to an AF_UNIX socket which will receive a file descriptor referencing the init process"),
        new("pid-file", null, true, "specify the file to write the process id to"),
        new("no-pivot", null, false, "do not use pivot root to jail process inside rootfs"),
        new("no-new-keyring", null, false, "do not create a new session keyring for the container"),
        new("preserve-fds", null, true, "pass N additional file descriptors to the container (stdio + $LISTEN_FDS + N in total)"),
    };

    /// <summary>
    /// Socket activation, as runc (go-systemd's activation.Files): $LISTEN_FDS fds from 3 are
    /// passed on only when $LISTEN_PID is csrun's own pid; anything else means they were meant
    /// for another process, and they are left alone.
    /// </summary>
    static int ListenFds()
    {
        if (!int.TryParse(Environment.GetEnvironmentVariable("LISTEN_PID"), out int pid) || pid != Environment.ProcessId) return 0;
        return int.TryParse(Environment.GetEnvironmentVariable("LISTEN_FDS"), out int n) && n > 0 ? n : 0;
    }

    public static CreateRequest Request(ParsedArgs args, bool keepSync)
    {
        if (args.Positional.Count != 1)
            throw new RuntimeError($"\"{(keepSync ? "run" : "create")}\" requires exactly 1 argument(s)");
        int preserve = args.Int("preserve-fds", 0);
        if (preserve < 0) throw new RuntimeError("--preserve-fds: must not be negative");
        int listen = ListenFds();
        preserve += listen;
        PreservedFds.Checked(preserve, listen > 0 ? "--preserve-fds (with $LISTEN_FDS)" : "--preserve-fds");
        return new CreateRequest
        {
            Id = args.Positional[0],
            Bundle = args.Get("bundle") ?? Directory.GetCurrentDirectory(),
            PidFile = args.Get("pid-file"),
            NoPivot = args.Bool("no-pivot"),
            NoNewKeyring = args.Bool("no-new-keyring"),
            PreserveFds = preserve, ListenFds = listen,
            ConsoleSocket = args.Get("console-socket"),
            PidfdSocket = args.Get("pidfd-socket"),
            KeepSync = keepSync,
        };
    }
}
