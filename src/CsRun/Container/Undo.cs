using CsRun.Diagnostics;
using CsRun.Errors;


namespace CsRun.Container;

/// <summary>
/// Create is a transaction: each step that made something registers how to take it back, and a
/// failure runs those in reverse so nothing (process, cgroup, state dir, fd) is left behind.
/// </summary>
internal sealed class Undo
{
    readonly List<(string What, Action Action)> _actions = new();

    public void Add(string what, Action action) => _actions.Add((what, action));

    /// <summary>Success: keep what was made.</summary>
    public void Commit() => _actions.Clear();

    public void Rollback()
    {
        for (int i = _actions.Count - 1; i >= 0; i--)
        {
            try { _actions[i].Action(); }
            catch (Exception e) { Log.Warn($"cleanup: {_actions[i].What}: {SystemErrorText.Of(e)}"); }
        }
        _actions.Clear();
    }
}

/// <summary>Test-only fault injection: CSRUN_TEST_FAIL_AT=&lt;step&gt; makes create fail at that step.</summary>
internal static class FaultInjection
{
    static readonly string? Target = Environment.GetEnvironmentVariable("CSRUN_TEST_FAIL_AT");

    public static void At(string step)
    {
        if (Target == step) throw new RuntimeError($"injected failure at {step}");
    }
}
