using CsRun.Launch;
using CsRun.Linux;

namespace CsRun.Container;

/// <summary>The container init as create sees it: our child, or a grandchild after an extra fork.</summary>
internal sealed class InitProcess
{
    readonly int _child;
    int _exitStatus = -1;

    public int Pid { get; private set; }
    public bool IsOurChild => Pid == _child;

    public InitProcess(int child)
    {
        _child = child;
        Pid = child;
    }

    /// <summary>The intermediate process forked the real init and exits: reap it, follow the init.</summary>
    public void Adopt(int pid)
    {
        Pid = pid;
        Spawner.Reap(_child);
    }

    public void Kill()
    {
        Libc.Sys(Nr.Kill, Pid, Sig.Kill);
        if (!IsOurChild) Libc.Sys(Nr.Kill, _child, Sig.Kill);
        // A grandchild is ours too once its parent exited, if we are a subreaper (run, exec);
        // otherwise wait4 says ECHILD at once. An unreaped zombie in a pid namespace would keep
        // that namespace's init from ever finishing its exit.
        Spawner.Reap(Pid);
    }

    public string DescribeExit()
    {
        if (_exitStatus < 0) _exitStatus = Spawner.Reap(_child);
        int code = Spawner.ExitCode(_exitStatus);
        return code > 128 ? $"was killed by signal {code - 128}" : $"exited with status {code}";
    }
}
