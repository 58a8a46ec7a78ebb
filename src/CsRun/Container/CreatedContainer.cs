namespace CsRun.Container;

/// <summary>A created container: its state and its init as cloned; for `run` (<see cref="CreateRequest.KeepSync"/>)
/// the init's sync socket stays open, for the exec failure it may report.</summary>
internal sealed record CreatedContainer(ContainerState State, Launch.SpawnedChild Init)
{
    /// <summary>Our end of the console socketpair when csrun proxies the terminal; -1 otherwise.</summary>
    public int ConsoleReceiver { get; init; } = -1;
}
