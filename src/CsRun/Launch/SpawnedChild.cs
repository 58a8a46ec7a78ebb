using CsRun.Errors;
using CsRun.Linux;

namespace CsRun.Launch;

/// <summary>
/// A child cloned to run a setup program, and the parent's end of its sync socket: what create,
/// exec, hooks and host commands share. The child reports a failed step as (step, errno) on the
/// socket; its execve closes the socket (close-on-exec), which the parent reads as EOF.
/// </summary>
internal sealed class SpawnedChild : IDisposable
{
    public SetupProgram Program { get; }
    /// <summary>The cloned process (create's init may fork once more: <c>InitPid</c>).</summary>
    public int Pid { get; }
    /// <summary>Cloned into the cgroup given (clone3 CLONE_INTO_CGROUP): it need not join it.</summary>
    public bool BornInCgroup { get; }
    /// <summary>The parent's end of the sync socket; -1 once disposed.</summary>
    public int SyncFd { get; private set; }

    SpawnedChild(SetupProgram program, int pid, bool bornInCgroup, int syncFd)
    {
        Program = program;
        Pid = pid;
        BornInCgroup = bornInCgroup;
        SyncFd = syncFd;
    }

    /// <summary>Makes the sync socket and clones the child (into <paramref name="cgroupDir"/>
    /// when given, see <see cref="Spawner"/>); the child's end is closed here once it has its own.</summary>
    public static SpawnedChild Start(SetupProgram program, long cloneFlags = 0, string? cgroupDir = null)
    {
        var (parentEnd, childEnd) = SyncChannel.CreatePair();
        try
        {
            int pid = Spawner.Spawn(program, cloneFlags, childEnd, parentEnd, cgroupDir, out bool bornInCgroup);
            var child = new SpawnedChild(program, pid, bornInCgroup, parentEnd);
            parentEnd = -1;
            return child;
        }
        finally
        {
            Files.Close(childEnd);
            Files.Close(parentEnd);
        }
    }

    public SyncMessage? Receive() => SyncChannel.Receive(SyncFd);

    public void Send(SyncType type, int value = 0, ReadOnlySpan<byte> payload = default) => SyncChannel.Send(SyncFd, type, value, payload);

    /// <summary>
    /// Answers the child at each sync point with <paramref name="answer"/> until it says Ready.
    /// A failed step is thrown as <see cref="StepError"/> describes it, EOF as
    /// <paramref name="endedEarly"/>, a message <paramref name="answer"/> does not take (false)
    /// as <paramref name="unexpected"/> and its type.
    /// </summary>
    public void AnswerUntilReady(Func<SyncMessage, bool> answer, Func<string> endedEarly, string unexpected)
    {
        while (true)
        {
            var m = Receive() ?? throw new RuntimeError(endedEarly());
            switch ((SyncType)m.Type)
            {
                case SyncType.Ready: return;
                case SyncType.Error: throw new RuntimeError(StepError.Describe(Program, m.Step, m.Errno));
                default:
                    if (!answer(m)) throw new RuntimeError($"{unexpected} {m.Type}");
                    break;
            }
        }
    }

    /// <summary>After the last sync point: null once execve closed the socket, the failed step's description otherwise.</summary>
    public string? ExecOutcome() =>
        Receive() is { Type: (int)SyncType.Error } m ? StepError.Describe(Program, m.Step, m.Errno) : null;

    /// <summary>The child's wait status.</summary>
    public int Reap() => Spawner.Reap(Pid);

    /// <summary>The child's wait status within <paramref name="timeoutMs"/> (-1: no limit); past
    /// it the child is killed and reaped, and the answer is null.</summary>
    public int? ReapWithin(int timeoutMs)
    {
        if (Spawner.WaitWithTimeout(Pid, timeoutMs) is int status) return status;
        KillAndReap();
        return null;
    }

    public void KillAndReap()
    {
        Libc.Sys(Nr.Kill, Pid, Sig.Kill);
        Spawner.Reap(Pid);
    }

    public void Dispose()
    {
        Files.Close(SyncFd);
        SyncFd = -1;
    }
}
