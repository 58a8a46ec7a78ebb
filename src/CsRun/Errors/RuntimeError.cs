namespace CsRun.Errors;

/// <summary>An error for the user: its message is printed as is and csrun exits 1 (or <see cref="ExitStatus"/>).</summary>
public class RuntimeError : Exception
{
    public RuntimeError(string message) : base(message) { }
    public RuntimeError(string message, Exception inner) : base(message, inner) { }

    /// <summary>runc's status for the failure: 1, but 255 for `exec` once its arguments were read.</summary>
    public int ExitStatus { get; init; } = 1;
}
