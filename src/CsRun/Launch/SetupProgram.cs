using System.Runtime.InteropServices;
using CsRun.Cgroups;

namespace CsRun.Launch;

/// <summary>One step as the child reads it. Args are integers or pointers into the arena.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct NativeStep
{
    public int Kind;
    public int Pad;
    public long A, B, C, D, E;
    /// <summary>C string describing the step, for messages the child writes itself.</summary>
    public long Desc;
}

/// <summary>
/// One step as the parent knows it: the kind, where it came from in config.json, a readable
/// description (for errors, --debug and tests), and its native arguments.
/// </summary>
internal sealed record Step(StepKind Kind, string Field, string Text)
{
    public long A, B, C, D, E;
    /// <summary>The name or path the step is about, for messages (the executable for FindExecutable).</summary>
    public string? Subject { get; init; }
    public override string ToString() => $"{Kind} {Text}";
}

/// <summary>The container's setup compiled to a flat list of steps plus the memory they point into.</summary>
internal sealed unsafe class SetupProgram
{
    public NativeArena Arena { get; } = new();
    public List<Step> Steps { get; } = new();

    /// <summary>Clone flags for the fast path (one clone creates every new namespace).</summary>
    public long CloneFlags { get; set; }
    /// <summary>Namespace files the parent opens before the clone, by type, for setns steps.</summary>
    public List<(string Type, string Path)> Joins { get; } = new();
    /// <summary>Index of the first step after the child reported ready: failures there go to stderr.</summary>
    public int ReadyIndex { get; set; } = int.MaxValue;
    public bool NewUserNamespace { get; set; }
    /// <summary>The child stays dumpable until its id maps are written (<see cref="ChildContext.DumpableUntilMaps"/>).</summary>
    public bool DumpableUntilMaps { get; set; }
    /// <summary>Fds past stdio the container's process gets (--preserve-fds, $LISTEN_FDS).</summary>
    public int PreservedFds { get; set; }
    /// <summary>Fds of the parent a step uses by number (the exec fifo), besides those in step arguments.</summary>
    public List<int> InheritedFds { get; } = new();
    /// <summary>The child forks the container init (into a joined pid namespace): the init's pid comes later.</summary>
    public bool ForksInit => Steps.Exists(s => s.Kind == StepKind.ForkInit);
    /// <summary>The child joins its v1 cgroups itself (<see cref="CgroupJoinCompiler"/>).</summary>
    public bool SelfJoinsCgroup => Steps.Exists(s => s.Kind == StepKind.JoinCgroup);
    /// <summary>The parent makes the cgroup after the clone, while the child creates its network
    /// namespace; the child joins it once the parent says go.</summary>
    public bool CgroupAfterClone { get; set; }
    /// <summary>Bind mount sources the parent opens for the child, in order (<see cref="Rootfs.HostBindSources"/>).</summary>
    public List<(string Field, string Path)> BindSources { get; } = new();
    /// <summary>Id-mapped binds, by the index their IdmapBind step sends (<see cref="Rootfs.IdmapMounts"/>).</summary>
    public List<Rootfs.IdmapMount> IdmapMounts { get; } = new();

    /// <summary>What of the cgroup join the child did itself, for <see cref="ICgroupManager.AddProcess"/>.</summary>
    public CgroupJoined Joined(bool bornInCgroup) =>
        (bornInCgroup ? CgroupJoined.CloneDir : CgroupJoined.None) | (SelfJoinsCgroup ? CgroupJoined.SelfJoinFiles : CgroupJoined.None);

    public Step Add(StepKind kind, string field, string text, long a = 0, long b = 0, long c = 0, long d = 0, long e = 0, string? subject = null)
    {
        var s = new Step(kind, field, text) { A = a, B = b, C = c, D = d, E = e, Subject = subject };
        Steps.Add(s);
        return s;
    }

    /// <summary>Every parent fd the child uses: the sync socket, the fds steps take (namespaces to
    /// join, the console socket, hooks' stdin) and <see cref="InheritedFds"/>; sorted.</summary>
    public List<int> FdsToKeep(int syncFd)
    {
        var keep = new List<int>(InheritedFds) { syncFd };
        foreach (var s in Steps)
            if (s.Kind is StepKind.Setns or StepKind.Dup2 or StepKind.SetupConsole) keep.Add((int)s.A);
        keep.RemoveAll(fd => fd < 3 + PreservedFds);
        keep.Sort();
        return keep;
    }

    /// <summary>Lay the steps out for the child.</summary>
    public NativeStep* Emit()
    {
        var steps = (NativeStep*)Arena.Alloc(sizeof(NativeStep) * Math.Max(1, Steps.Count));
        for (int i = 0; i < Steps.Count; i++)
        {
            var s = Steps[i];
            steps[i] = new NativeStep
            {
                Kind = (int)s.Kind, A = s.A, B = s.B, C = s.C, D = s.D, E = s.E,
                // Before the ready point the parent words every error itself.
                Desc = i >= ReadyIndex ? Arena.Str(s.Text) : 0,
            };
        }
        return steps;
    }

    /// <summary>The plan as text: what --dry-run and --debug print.</summary>
    public string Describe() =>
        string.Join("\n", Steps.Select((s, i) => $"{i,3} {s.Kind,-18} {s.Text}" + (s.Field.Length > 0 ? $"  [{s.Field}]" : "")));
}
