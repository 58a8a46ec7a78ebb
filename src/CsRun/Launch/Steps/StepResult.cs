namespace CsRun.Launch;

/// <summary>What a step's Execute returns: 0, or a negative errno for the parent to word.</summary>
internal static class StepResult
{
    /// <summary>A system call's result as a step's: any success is 0.</summary>
    public static long Ok(long r) => r < 0 ? r : 0;
}
