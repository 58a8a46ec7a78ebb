namespace CsRun.Launch;

/// <summary>
/// What the child can do. Each kind is one or a few raw system calls on arguments the parent
/// prepared; the interpreter (<see cref="Interpreter"/>) gives every kind's argument meaning.
/// </summary>
internal enum StepKind
{
    /// <summary>A: message type. Tell the parent something; B: value sent along.</summary>
    SyncSend,
    /// <summary>A: message type expected from the parent.</summary>
    SyncWait,
    /// <summary>A: buffer, B: capacity. Read a payload message (the state for startContainer hooks).</summary>
    SyncReceivePayload,
    /// <summary>A: clone flags.</summary>
    Unshare,
    /// <summary>A: fd opened by the parent, B: namespace type.</summary>
    Setns,
    /// <summary>Fork once more: the new process is the container init; the old one reports its pid and exits.</summary>
    ForkInit,
    Setsid,
    /// <summary>A: prctl option, B..D: arguments.</summary>
    Prctl,
    /// <summary>A: name, B: length.</summary>
    Sethostname,
    Setdomainname,
    /// <summary>A: source, B: target, C: fstype, D: flags, E: data (host paths, before pivot_root).</summary>
    MountHost,
    /// <summary>A: rootfs path. Open it as the anchor for every later *InRoot step.</summary>
    OpenRoot,
    /// <summary>A: path inside the rootfs, B: 1 for a directory, 0 for a file. Creates it if missing
    /// (never following a link out of the rootfs) and keeps an O_PATH fd to it as the target.</summary>
    PrepareTarget,
    /// <summary>A: source, B: fstype, C: flags, D: data. Mount on the prepared target. E: 1 when D begins
    /// with a "mode=0000" slot to fill from the covered directory (a tmpfs without mode=).</summary>
    MountTarget,
    /// <summary>A: source path inside the container. Bind-mount on the prepared target; B: flags.</summary>
    BindTarget,
    /// <summary>A: flags. Remount the target (MS_REMOUNT|MS_BIND|flags).</summary>
    RemountTarget,
    /// <summary>A: propagation flags for the target.</summary>
    PropagateTarget,
    /// <summary>A: mount_setattr attr_set, B: attr_clr, C: propagation. Recursive options (rro, …).</summary>
    SetattrTarget,
    /// <summary>A: parent dir in the rootfs, B: name, C: mode|type, D: dev, E: uid&lt;&lt;32|gid (or -1).</summary>
    MknodInRoot,
    /// <summary>A: link target, B: parent dir in the rootfs, C: name.</summary>
    SymlinkInRoot,
    /// <summary>A: rootfs path.</summary>
    PivotRoot,
    /// <summary>A: rootfs path. --no-pivot: move the rootfs over / and chroot.</summary>
    MoveRoot,
    /// <summary>A: rootfs path. No mount namespace: chroot only, the host's mounts stay untouched.</summary>
    Chroot,
    /// <summary>A: path (after pivot_root). Hide it: /dev/null over a file, a read-only tmpfs over a directory.</summary>
    MaskPath,
    /// <summary>A: path (after pivot_root). Bind it on itself read-only.</summary>
    ReadonlyPath,
    /// <summary>A: flags. Remount / (MS_REMOUNT|MS_BIND|flags), for root.readonly.</summary>
    RemountRoot,
    /// <summary>A: path, B: data, C: length, D: 1 if the file must be on procfs.</summary>
    WriteFile,
    /// <summary>A: path.</summary>
    Chdir,
    /// <summary>Fail unless getcwd names a path inside the container (CVE-2024-21626).</summary>
    VerifyCwd,
    /// <summary>A: resource, B: soft, C: hard.</summary>
    Setrlimit,
    /// <summary>A: persona.</summary>
    Personality,
    /// <summary>A: mask.</summary>
    Umask,
    /// <summary>A: bitmask of bounding capabilities to keep.</summary>
    DropBounding,
    /// <summary>A: count, B: gid array.</summary>
    Setgroups,
    /// <summary>A: gid.</summary>
    Setgid,
    /// <summary>A: uid.</summary>
    Setuid,
    /// <summary>A: effective, B: permitted, C: inheritable (64-bit masks).</summary>
    Capset,
    /// <summary>A: ambient mask.</summary>
    RaiseAmbient,
    /// <summary>Default disposition and an empty mask for every signal.</summary>
    ResetSignals,
    /// <summary>A: first fd past stdio and the preserved ones, B: the exec fifo's fd (or -1).
    /// Close every fd from A but the sync socket, the fifo and the host's /proc (ChildFds).</summary>
    CloseHostFds,
    /// <summary>A: start, B: length of the runtime's rehydrated type data (RuntimeData), unmapped
    /// before the init waits for start; a failure only costs memory and is ignored.</summary>
    ReleaseRuntimeData,
    /// <summary>A: "/proc/self/fd/N" of the exec fifo (resolved in the procfs OpenPrivateProc or
    /// OpenHostProc kept, else in the container's /proc), B: its fd, closed once opened. Blocks until `start`.</summary>
    WaitStart,
    /// <summary>A: hook path, B: argv, C: envp, D: timeout seconds, E: state payload buffer.</summary>
    RunHook,
    /// <summary>A: sock_fprog, B: flags.</summary>
    Seccomp,
    /// <summary>A: sock_fprog, B: flags. Load with a notify listener and send its fd to the parent.</summary>
    SeccompNotify,
    /// <summary>A: NULL-terminated array of candidate paths. The first executable one is used by Execve.</summary>
    FindExecutable,
    /// <summary>A: argv, B: envp.</summary>
    Execve,
    /// <summary>A: console socket fd, B: rows, C: columns, D: uid&lt;&lt;32|gid (-1 keeps devpts' group). A pty for process.terminal.</summary>
    SetupConsole,
    /// <summary>A: keyring name. A fresh session keyring; kernels without keyrings are fine.</summary>
    JoinKeyring,
    /// <summary>A: fd to dup onto B (hooks' stdin).</summary>
    Dup2,
    /// <summary>No mount namespace: keep an O_PATH fd of the host's /proc before chroot, which
    /// leaves no /proc in reach, so WaitStart can still reopen the exec fifo.</summary>
    OpenHostProc,
    /// <summary>A: a v1 cgroup's `tasks` file, B: 1 to ignore a failure. Write "0": the child moves itself.</summary>
    JoinCgroup,
    /// <summary>A: CPU mask, B: its length in bytes. sched_setaffinity on ourselves (CpuHandoff).</summary>
    SetAffinity,
    /// <summary>A: the envp entry "HOME=/" (<see cref="ChildPasswd.EntrySize"/> bytes), B: uid. Inside
    /// the container, put that uid's home from /etc/passwd there (<see cref="ChildPasswd"/>); never fails.</summary>
    LookupHome,
    /// <summary>Set IFF_UP on `lo` (a new network namespace has it down).</summary>
    LoopbackUp,
    /// <summary>A: uid. Give stdio that is a pipe, a socket or a pty to that uid, before the uid change
    /// (<see cref="ChildStdio"/>); a file of the host keeps its owner.</summary>
    FixStdioOwner,
    /// <summary>A private procfs (subset=pid, read-only) of the container's pid namespace, detached,
    /// kept in ProcFd so that WaitStart reopens the exec fifo without the container's /proc
    /// (<see cref="ChildStart"/>). Without it (an old kernel), WaitStart uses the container's /proc.</summary>
    OpenPrivateProc,
    /// <summary>MountTarget's arguments (tmpfs), then tmpcopyup: the directory the mount covered
    /// is copied into it (<see cref="ChildCopyUp"/>).</summary>
    MountTargetCopyUp,
    /// <summary>A: buffer, B: its size (<see cref="ChildHostMounts.BufferSize"/>). --no-pivot, before
    /// MoveRoot: detach (or cover) every full proc and sysfs mount outside the rootfs (<see cref="ChildHostMounts"/>).</summary>
    HideHostProcAndSysfs,
    /// <summary>A: struct sched_attr (<see cref="ChildSchedule"/>). sched_setattr on ourselves.</summary>
    SetScheduler,
    /// <summary>A: (class &lt;&lt; 13) | level. ioprio_set on ourselves.</summary>
    SetIoPriority,
    /// <summary>A: mode | mode flags, B: node mask, C: maxnode (bits in the mask + 1). set_mempolicy.</summary>
    SetMemoryPolicy,
    /// <summary>A: int slots, B: their count. Send "/" (this mount namespace's root) to the parent, which
    /// opens every bind source there with the host's credentials, and receive the fds into the slots
    /// (<see cref="ChildBindSources"/>): a user namespace's root may not reach a source the host can.</summary>
    ReceiveBindSources,
    /// <summary>A: the slot ReceiveBindSources filled, B: flags (MS_REC). Bind that fd on the prepared
    /// target through /proc/self/fd/N, then close it.</summary>
    BindFromSource,
    /// <summary>A: the rootfs path, B: MS_PRIVATE or MS_SLAVE. Applied to the mount that holds the
    /// rootfs, found by walking up (<see cref="ChildRootfsMount"/>).</summary>
    IsolateRootfsMount,
    /// <summary>A: the slot ReceiveBindSources filled, or 0; B: the source path when A is 0 (in the
    /// rootfs when E is 1, else on the host); C: MS_REC (rbind); D: index in the program's id-mapped mounts. Clone the source's tree, hand it to the
    /// parent to set MOUNT_ATTR_IDMAP, and attach it on the prepared target (<see cref="ChildIdmap"/>).</summary>
    IdmapBind,
    /// <summary>In the container's root: stdio that is the null device (the host's /dev/null a
    /// caller gave) is replaced by the container's own /dev/null (<see cref="ChildDevNull"/>).</summary>
    ReopenDevNull,
}
