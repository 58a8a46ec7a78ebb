using System.Text;
using CsRun.Container;
using CsRun.Diagnostics;
using CsRun.Errors;

namespace CsRun.Cli;

internal sealed class ListCommand : ICommand
{
    static readonly string[] Header = { "ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER" };

    public string Name => "list";
    public string Usage => "lists containers started by csrun with the given root";
    public string ArgsUsage => "";
    public FlagSpec[] Flags => new[]
    {
        new FlagSpec("format", "f", true, "select one of: table or json (default: \"table\")"),
        new FlagSpec("quiet", "q", false, "display only container IDs"),
    };

    public int Run(GlobalOptions global, ParsedArgs args)
    {
        var store = new StateStore(global.Root);
        var states = new List<PublicState>();
        foreach (var id in store.Ids())
        {
            try { states.Add(ContainerStatus.Public(store, store.Load(id))); }
            catch (CorruptStateError e)
            {
                // runc leaves it out (saying so on stderr), and its init and cgroups with it.
                Log.Warn($"load container {id}: {e.Message}");
                states.Add(Unknown(store, id));
            }
            catch (RuntimeError) { } // removed while we listed
        }
        foreach (var s in states) s.Owner = Owner(store.Dir(s.Id));
        if (args.Bool("quiet"))
        {
            foreach (var s in states) Output.OutLine(s.Id);
            return 0;
        }
        string format = args.Get("format") ?? "table";
        if (format == "json")
        {
            Output.OutLine(states.Count == 0 ? "null" : PublicStateJson.Of(states));
            return 0;
        }
        if (format != "table") throw new RuntimeError($"invalid format option");
        var rows = new List<string[]> { Header };
        rows.AddRange(states.Select(s => new[] { s.Id, s.Pid.ToString(), s.Status, s.Bundle, s.Created, s.Owner }));
        Output.Out(Table(rows));
        return 0;
    }

    /// <summary>A container whose state cannot be read: its id, and its init's pid from its create journal while that lives.</summary>
    static PublicState Unknown(StateStore store, string id)
    {
        using var journal = CreateJournal.Peek(store.Dir(id));
        return new PublicState { Id = id, Pid = journal?.LiveInit ?? 0, Status = "unknown", Created = "0001-01-01T00:00:00Z" };
    }

    /// <summary>Go's tabwriter as runc sets it up: min width 12, padding 3.</summary>
    static string Table(List<string[]> rows)
    {
        int cols = rows[0].Length;
        var widths = Enumerable.Range(0, cols).Select(c => Math.Max(12, rows.Max(r => r[c].Length) + 3)).ToArray();
        var sb = new StringBuilder();
        foreach (var r in rows)
        {
            for (int c = 0; c < cols; c++) sb.Append(c == cols - 1 ? r[c] : r[c].PadRight(widths[c]));
            sb.Append('\n');
        }
        return sb.ToString();
    }

    static string Owner(string dir)
    {
        return UserName(StatUid(dir));
    }

    static unsafe uint StatUid(string path)
    {
        byte* st = stackalloc byte[Linux.KStat.Size];
        var bytes = Encoding.UTF8.GetBytes(path + "\0");
        fixed (byte* p = bytes) Linux.Libc.Sys(Linux.Nr.Newfstatat, Linux.O.AtFdCwd, (long)p, (long)st);
        return *(uint*)(st + Linux.KStat.Uid);
    }

    static string UserName(uint uid)
    {
        try
        {
            foreach (var line in File.ReadLines("/etc/passwd"))
            {
                var f = line.Split(':');
                if (f.Length > 2 && f[2] == uid.ToString()) return f[0];
            }
        }
        catch (IOException) { }
        return "#" + uid;
    }
}
