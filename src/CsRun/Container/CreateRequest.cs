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

/// <summary>A created container: its state and its init as cloned; for `run` (<see cref="CreateRequest.KeepSync"/>)
/// the init's sync socket stays open, for the exec failure it may report.</summary>
internal sealed record CreatedContainer(ContainerState State, Launch.SpawnedChild Init)
{
    /// <summary>Our end of the console socketpair when csrun proxies the terminal; -1 otherwise.</summary>
    public int ConsoleReceiver { get; init; } = -1;
}
