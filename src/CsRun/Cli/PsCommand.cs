using System.Text;
using CsRun.Cgroups;
using CsRun.Container;

namespace CsRun.Cli;

/// <summary>
/// runc's ps: the pids in the container's cgroup as a JSON array (containerd's `task ps`), or
/// the host's `ps` output (options after the id, `-ef` by default) cut down to those pids.
/// </summary>
internal sealed class PsCommand : ICommand
{
    public string Name => "ps";
    public string Usage => "ps displays the processes running inside a container";
    public string ArgsUsage => "<container-id> [ps options]";
    public FlagSpec[] Flags => new[] { new FlagSpec("format", "f", true, "select one of: table or json (default: \"table\")") };
    public bool StopAtFirstPositional => true;

    public int Run(GlobalOptions global, ParsedArgs args)
    {
        if (args.Positional.Count < 1) throw new RuntimeError("\"ps\" requires a minimum of 1 argument(s)");
        var s = new StateStore(global.Root).Load(args.Positional[0]);
        var pids = s.CgroupPaths.Count > 0 ? CgroupManager.FromPaths(s.CgroupPaths, s.SystemdCgroup).Pids() : Array.Empty<int>();
        string format = args.Get("format") ?? "table";
        if (format == "json")
        {
            Output.OutLine("[" + string.Join(",", pids) + "]");
            return 0;
        }
        if (format != "table") throw new RuntimeError("invalid format option");
        var psArgs = args.Positional.Count > 1 ? args.Positional.Skip(1) : new[] { "-ef" };
        var (code, text) = HostCommand.Run(new[] { "ps" }.Concat(psArgs).ToList());
        if (code != 0) throw new RuntimeError($"exit status {code}: {text}");
        Output.Out(Filter(text, pids));
        return 0;
    }

    /// <summary>The header, then the lines whose PID column is one of <paramref name="pids"/>.</summary>
    internal static string Filter(string psOutput, IReadOnlyCollection<int> pids)
    {
        var lines = psOutput.Split('\n');
        int pidIndex = Array.IndexOf(lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries), "PID");
        if (pidIndex < 0) throw new RuntimeError("couldn't find PID field in ps output");
        var sb = new StringBuilder(lines[0]).Append('\n');
        foreach (var line in lines.Skip(1))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length > pidIndex && int.TryParse(fields[pidIndex], out int pid) && pids.Contains(pid))
                sb.Append(line).Append('\n');
        }
        return sb.ToString();
    }
}
