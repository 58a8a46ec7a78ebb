using CsRun.Diagnostics;
using CsRun.Errors;
using CsRun.Launch;
using CsRun.Linux;

namespace CsRun.Container;

/// <summary>`run`: create, start, then (unless detached) forward signals, wait, and delete.</summary>
internal static class Runner
{
    public static int Run(GlobalOptions global, CreateRequest req, bool detach, bool keep, bool subreaper = true)
    {
        var store = new StateStore(global.Root);
        // An init forked inside a joined pid namespace is our grandchild: adopt it when its parent exits.
        // The container's own orphans come to us too, unless --no-subreaper (see NoSubreaper).
        Libc.Sys(Nr.Prctl, Pr.SetChildSubreaper, 1);
        var signals = detach ? null : SignalForwarder.Start();
        CreatedContainer created;
        try
        {
            created = Creator.Create(global, req);
        }
        catch (RuntimeError e)
        {
            throw new RuntimeError($"csrun run failed: {e.Message}", e);
        }
        var s = created.State;
        if (!subreaper) NoSubreaper(created, detach);
        try
        {
            Lifecycle.StartCreated(store, s);
            string? execError = created.Init.ExecOutcome();
            if (execError != null)
            {
                Spawner.Reap(s.InitPid);
                if (!keep) Lifecycle.Delete(store, s.Id, force: true);
                throw new RuntimeError($"csrun run failed: {execError}");
            }
            if (detach) return 0;
            using var console = created.ConsoleReceiver >= 0 ? new ConsoleProxy(ReceiveMaster(created.ConsoleReceiver)) : null;
            int status = signals!.WaitForExit(s.InitPid, console);
            if (!keep) Lifecycle.DeleteReaped(store, s);
            return Spawner.ExitCode(status);
        }
        catch (RuntimeError) when (!detach && store.Exists(s.Id) && !keep)
        {
            try { Lifecycle.Delete(store, s.Id, force: true); } catch (RuntimeError) { }
            throw;
        }
        finally
        {
            created.Init.Dispose();
            Files.Close(created.ConsoleReceiver);
        }
    }

    /// <summary>
    /// run --no-subreaper (runc's flag): processes the container orphans go to csrun's own
    /// nearest subreaper (or PID 1), not to csrun. csrun stays one only while it must: through
    /// create, and for the rest of a foreground run whose init forked into a joined pid
    /// namespace, which is csrun's child only by adoption (else csrun could not wait for it).
    /// </summary>
    static void NoSubreaper(CreatedContainer created, bool detach)
    {
        if (created.Init.Program.ForksInit && !detach)
            Log.Warn("--no-subreaper: csrun stays a subreaper to wait for an init forked into a joined pid namespace");
        else Libc.Sys(Nr.Prctl, Pr.SetChildSubreaper, 0);
    }

    internal static int ReceiveMaster(int receiver)
    {
        int master = UnixSockets.ReceiveFd(receiver);
        if (master < 0) throw new RuntimeError($"receive the terminal from the container: {Errno.Message(-master)}");
        return master;
    }
}
