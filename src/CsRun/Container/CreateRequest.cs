namespace CsRun.Container;

/// <summary>What `create` (and `run`) were asked for on the command line.</summary>
internal sealed record CreateRequest
{
    public required string Id { get; init; }
    public required string Bundle { get; init; }
    public string? PidFile { get; init; }
    public bool NoPivot { get; init; }
    public bool NoNewKeyring { get; init; }
    /// <summary>Every fd passed to the container past stdio: the socket-activation ones, then --preserve-fds.</summary>
    public int PreserveFds { get; init; }
    /// <summary>How many of <see cref="PreserveFds"/> came from $LISTEN_FDS (with $LISTEN_PID ours).</summary>
    public int ListenFds { get; init; }
    public string? ConsoleSocket { get; init; }
    /// <summary>--pidfd-socket: where a pidfd of the init is sent (<see cref="PidfdSocket"/>).</summary>
    public string? PidfdSocket { get; init; }
    /// <summary>`run` keeps the sync socket to learn whether execve worked.</summary>
    public bool KeepSync { get; init; }
    /// <summary>`run` in the foreground with a terminal and no console socket: csrun holds the master itself.</summary>
    public bool ProxyConsole { get; init; }
}
