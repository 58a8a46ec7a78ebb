using System.Text;

namespace CsRun.Cli;

/// <summary>Entry point: global flags, then one command, runc's exit codes and error shape.</summary>
internal static class CommandLine
{
    public const string Version = "0.1.0";
    public const string SpecVersion = "1.3.0";

    /// <summary>In runc's order (its help lists them so).</summary>
    static readonly ICommand[] Commands =
    {
        new CheckpointCommand(), new CreateCommand(), new DeleteCommand(), new EventsCommand(), new ExecCommand(), new KillCommand(), new ListCommand(),
        new PauseCommand(), new PsCommand(), new RestoreCommand(), new ResumeCommand(), new RunCommand(), new SpecCommand(), new StartCommand(),
        new StateCommand(), new UpdateCommand(), new FeaturesCommand(),
    };

    public static int Run(string[] argv)
    {
        try
        {
            var global = ParsedArgs.Parse(argv, GlobalOptions.Flags, stopAtPositional: true);
            Log.Configure(global.Get("log"), global.Get("log-format") ?? "text", global.Bool("debug"));
            if (global.Bool("version")) { Output.Out(VersionText()); return 0; }
            // No command at all is a request for help, as in runc (exit 0).
            if (global.Positional.Count == 0) { Output.Out(MainHelp()); return 0; }
            Log.Open();
            bool rootlessCgroups = RootlessMode.RootlessCgroups(global.Get("rootless"));
            string name = global.Positional[0];
            var rest = global.Positional.Skip(1).ToList();
            if (name is "help" or "h")
            {
                var target = rest.Count > 0 ? Find(rest[0]) : null;
                Output.Out(target != null ? CommandHelp(target) : MainHelp());
                return 0;
            }
            var command = Find(name) ?? throw new RuntimeError($"No help topic for '{name}'");
            var flags = command.Flags.Append(new FlagSpec("help", "h", false, "show help")).ToArray();
            var args = ParsedArgs.Parse(rest, flags, command.StopAtFirstPositional);
            if (args.Bool("help")) { Output.Out(CommandHelp(command)); return 0; }
            var options = new GlobalOptions
            {
                Root = global.Get("root") ?? RootlessMode.DefaultRoot(),
                SystemdCgroup = global.Bool("systemd-cgroup"),
                RootlessCgroups = rootlessCgroups,
                Debug = global.Bool("debug"),
                Criu = global.Get("criu") is { Length: > 0 } criu ? criu : "criu",
            };
            return command.Run(options, args);
        }
        catch (RuntimeError e)
        {
            return Fail(e.Message, e.ExitStatus);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Fail(SystemErrorText.Of(e));
        }
        catch (System.Text.Json.JsonException e)
        {
            // Its message is a resource key in the AOT binary: say where, as the readers do.
            return Fail(e.LineNumber is long line ? $"invalid JSON at line {line + 1}, column {e.BytePositionInLine + 1}" : "invalid JSON");
        }
    }

    static int Fail(string message, int status = 1)
    {
        Log.Fatal(message);
        return status;
    }

    static ICommand? Find(string name) => Commands.FirstOrDefault(c => c.Name == name);

    /// <summary>runc's lines that apply: its name and version, the spec, the libseccomp linked in.</summary>
    static unsafe string VersionText()
    {
        uint* v = Linux.LibSeccomp.Version();
        return $"csrun version {Version}\nspec: {SpecVersion}\nlibseccomp: {v[0]}.{v[1]}.{v[2]}\n";
    }

    /// <summary>urfave/cli's layout, as runc prints it: the version text goes under VERSION with only
    /// its first line indented; names and their text in columns two spaces past the longest name.</summary>
    static string MainHelp()
    {
        var sb = new StringBuilder();
        sb.Append("NAME:\n   csrun - Open Container Initiative runtime written in C#\n\n");
        sb.Append("csrun is a drop-in replacement for runc: the same commands, flags and output,\n");
        sb.Append("given a bundle (a directory with a config.json and a root filesystem).\n\n");
        sb.Append("To start a new instance of a container:\n\n    # csrun run [ -b bundle ] <container-id>\n\n");
        sb.Append("USAGE:\n   csrun [global options] command [command options] [arguments...]\n\n");
        sb.Append($"VERSION:\n   {VersionText()[(("csrun version ").Length)..]}\n");
        sb.Append("COMMANDS:\n");
        AppendColumns(sb, Commands.Select(c => (c.Name, c.Usage)).Append(("help, h", "Shows a list of commands or help for one command")));
        sb.Append("\nGLOBAL OPTIONS:\n");
        AppendFlags(sb, GlobalOptions.Flags);
        return sb.ToString();
    }

    static string CommandHelp(ICommand c)
    {
        var sb = new StringBuilder();
        sb.Append($"NAME:\n   csrun {c.Name} - {c.Usage}\n\nUSAGE:\n   csrun {c.Name} [command options] {c.ArgsUsage}\n");
        if (c.Flags.Length > 0) { sb.Append("\nOPTIONS:\n"); AppendFlags(sb, c.Flags); }
        return sb.ToString();
    }

    static void AppendFlags(StringBuilder sb, IEnumerable<FlagSpec> flags) =>
        AppendColumns(sb, flags.Select(f => ("--" + f.Name + (f.Short != null ? ", -" + f.Short : "") + (f.TakesValue ? " value" : ""), f.Help)));

    static void AppendColumns(StringBuilder sb, IEnumerable<(string Name, string Text)> rows)
    {
        var list = rows.ToList();
        int width = list.Max(r => r.Name.Length) + 2;
        foreach (var (name, text) in list) sb.Append("   ").Append(name.PadRight(width)).Append(text).Append('\n');
    }
}
