namespace CsRun.Container;

/// <summary>What `create` (and `run`) were asked for on the command line.</summary>
internal sealed record CreateRequest
{
    public required string Id { get; init; }
    public required string Bundle { get; init; }
    public string? PidFile { get; init; }
    public bool NoPivot { get; init; }
    public bool NoNewKeyring { get; init; }
    public int PreserveFds { get; init; }
    public string? ConsoleSocket { get; init; }
    /// <summary>`run` keeps the sync socket to learn whether execve worked.</summary>
    public bool KeepSync { get; init; }
    /// <summary>`run` in the foreground with a terminal and no console socket: csrun holds the master itself.</summary>
    public bool ProxyConsole { get; init; }
}

/// <summary>A created container: its state, and for `run`, the socket the init reports an exec failure on.</summary>
internal sealed record CreatedContainer(ContainerState State, int SyncFd, Launch.SetupProgram Program)
{
    /// <summary>Our end of the console socketpair when csrun proxies the terminal; -1 otherwise.</summary>
    public int ConsoleReceiver { get; init; } = -1;
}
