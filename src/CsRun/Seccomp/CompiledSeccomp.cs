namespace CsRun.Seccomp;

/// <summary>
/// A seccomp filter ready for the child: <paramref name="Bpf"/> is the raw array of
/// struct sock_filter (8 bytes each) for seccomp(SECCOMP_SET_MODE_FILTER, Flags, &amp;sock_fprog).
/// With <paramref name="UsesNotify"/> the child must also pass SECCOMP_FILTER_FLAG_NEW_LISTENER
/// and hand the listener fd it gets back to the parent.
/// </summary>
public sealed record CompiledSeccomp(byte[] Bpf, uint Flags, bool UsesNotify)
{
    /// <summary>sock_fprog.len: the number of BPF instructions.</summary>
    public int InstructionCount => Bpf.Length / 8;
}
