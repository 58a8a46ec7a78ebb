namespace CsRun.Cli;

/// <summary>An error for the user: its message is printed as is and csrun exits 1.</summary>
public class RuntimeError : Exception
{
    public RuntimeError(string message) : base(message) { }
    public RuntimeError(string message, Exception inner) : base(message, inner) { }
}
