using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using CsRun.Cgroups;

namespace CsRun.Launch;

/// <summary>
/// A step's arguments as stored: opaque room that each step type (Launch/Steps) overlays with
/// its own struct of named, typed fields, writing them in its Emit and reading them in its
/// Execute. Nothing else looks inside.
/// </summary>
internal unsafe struct StepArgs
{
#pragma warning disable CS0169 // read and written only through the step structs that overlay it
    fixed long _room[5];
#pragma warning restore CS0169
}

/// <summary>One step as the child reads it. Args are integers or pointers into the arena.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct NativeStep
{
    public int Kind;
    public int Pad;
    public StepArgs Args;
    /// <summary>C string describing the step, for messages the child writes itself.</summary>
    public long Desc;
}

/// <summary>
/// One step as the parent knows it: the kind, where it came from in config.json, a readable
/// description (for errors, --debug and tests), and its native arguments.
/// </summary>
internal sealed record Step(StepKind Kind, string Field, string Text)
{
    /// <summary>The arguments; read and written as the step's own struct (<see cref="ArgsAs{T}"/>).</summary>
    public StepArgs Args;
    /// <summary>The name or path the step is about, for messages (the executable for FindExecutable).</summary>
    public string? Subject { get; init; }
    public override string ToString() => $"{Kind} {Text}";

    /// <summary>A step of <paramref name="kind"/> whose arguments are <paramref name="args"/>, a step struct.</summary>
    public static Step Of<T>(StepKind kind, string field, string text, T args, string? subject = null) where T : unmanaged
    {
        if (Unsafe.SizeOf<T>() > Unsafe.SizeOf<StepArgs>()) throw new InvalidOperationException($"{typeof(T).Name}: arguments larger than a step holds");
        var s = new Step(kind, field, text) { Subject = subject };
        s.ArgsAs<T>() = args;
        return s;
    }

    /// <summary>The arguments as the step struct <typeparamref name="T"/> lays them out.</summary>
    public ref T ArgsAs<T>() where T : unmanaged => ref Unsafe.As<StepArgs, T>(ref Args);
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
    /// <summary>Bind mount sources the parent opens for the child, in order (Rootfs/HostBindSources).</summary>
    public List<(string Field, string Path)> BindSources { get; } = new();
    /// <summary>Id-mapped binds, by the index their IdmapBind step sends (Rootfs/IdmapMounts).</summary>
    public List<IdmapMount> IdmapMounts { get; } = new();

    /// <summary>What of the cgroup join the child did itself, for <see cref="ICgroupManager.AddProcess"/>.</summary>
    public CgroupJoined Joined(bool bornInCgroup) =>
        (bornInCgroup ? CgroupJoined.CloneDir : CgroupJoined.None) | (SelfJoinsCgroup ? CgroupJoined.SelfJoinFiles : CgroupJoined.None);

    /// <summary>Append a step; called by the step types' Emit (Launch/Steps), nothing else.</summary>
    public Step Add<T>(StepKind kind, string field, string text, T args, string? subject = null) where T : unmanaged
    {
        var s = Step.Of(kind, field, text, args, subject);
        Steps.Add(s);
        return s;
    }

    /// <summary>Every parent fd the child uses: the sync socket, the fds steps take (namespaces to
    /// join, the console socket, hooks' stdin) and <see cref="InheritedFds"/>; sorted.</summary>
    public List<int> FdsToKeep(int syncFd)
    {
        var keep = new List<int>(InheritedFds) { syncFd };
        foreach (var s in Steps)
            if (s.Kind switch
            {
                StepKind.Setns => s.ArgsAs<SetnsStep>().Fd,
                StepKind.Dup2 => s.ArgsAs<Dup2Step>().From,
                StepKind.SetupConsole => s.ArgsAs<SetupConsoleStep>().ConsoleSocket,
                _ => -1,
            } is int fd and >= 0) keep.Add(fd);
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
                Kind = (int)s.Kind, Args = s.Args,
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
