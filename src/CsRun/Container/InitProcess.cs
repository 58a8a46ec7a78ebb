using CsRun.Errors;
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

    /// <summary>The intermediate process forked the real init and exits: reap it, follow the init.
    /// Once only: the message comes over a socket the container's process also holds until its
    /// execve, and a second one must not make csrun wait for, or kill, a pid of its choosing.</summary>
    public void Adopt(int pid)
    {
        if (!IsOurChild) throw new RuntimeError($"the container's process reported a second pid ({pid})");
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
