using System.Globalization;
using System.Text;
using CsRun.Container;
using CsRun.Diagnostics;
using CsRun.Errors;

namespace CsRun.Cli;

/// <summary>
/// `ps`: the container's pids as JSON, or the host's `ps` output (default `ps -ef`, or the
/// arguments after the id) cut down to the lines whose PID column is one of them.
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
        if (args.Positional.Count < 1) throw new RuntimeError($"\"{Name}\" requires a minimum of 1 argument(s)");
        var pids = Processes.Of(new StateStore(global.Root), args.Positional[0]);
        string format = args.Get("format") ?? "table";
        if (format == "json")
        {
            Output.OutLine(pids.Count == 0 ? "null" : "[" + string.Join(",", pids) + "]");
            return 0;
        }
        if (format != "table") throw new RuntimeError("invalid format option");

        var psArgs = args.Positional.Skip(1).ToList();
        if (psArgs.Count == 0) psArgs.Add("-ef");
        var (code, output) = HostCommand.Run("ps", psArgs);
        if (code != 0) throw new RuntimeError($"exit status {code}: {output}");
        Output.Out(Filter(output, pids.ToHashSet()));
        return 0;
    }

    /// <summary>The header, then the lines whose PID field is one of the pids.</summary>
    internal static string Filter(string psOutput, HashSet<int> pids)
    {
        string[] lines = psOutput.Split('\n');
        int pidIndex = Array.IndexOf(lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries), "PID");
        if (pidIndex < 0) throw new RuntimeError("couldn't find PID field in ps output");
        var sb = new StringBuilder(lines[0]).Append('\n');
        foreach (string line in lines.Skip(1))
        {
            if (line.Length == 0) continue;
            string[] fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            string field = pidIndex < fields.Length ? fields[pidIndex] : "";
            if (!int.TryParse(field, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int pid))
                throw new RuntimeError($"unable to parse pid: strconv.Atoi: parsing \"{field}\": invalid syntax");
            if (pids.Contains(pid)) sb.Append(line).Append('\n');
        }
        return sb.ToString();
    }
}
