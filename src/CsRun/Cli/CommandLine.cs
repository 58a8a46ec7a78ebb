using System.Text;

namespace CsRun.Cli;

/// <summary>Entry point: global flags, then one command, runc's exit codes and error shape.</summary>
internal static class CommandLine
{
    public const string Version = "0.1.0";
    public const string SpecVersion = "1.2.1";

    static readonly ICommand[] Commands =
    {
        new CreateCommand(), new StartCommand(), new RunCommand(), new StateCommand(), new KillCommand(),
        new DeleteCommand(), new ListCommand(), new SpecCommand(), new ExecCommand(), new PauseCommand(), new ResumeCommand(),
        new PsCommand(), new EventsCommand(), new UpdateCommand(), new FeaturesCommand(),
    };

    public static int Run(string[] argv)
    {
        try
        {
            var global = ParsedArgs.Parse(argv, GlobalOptions.Flags, stopAtPositional: true);
            Log.Configure(global.Get("log"), global.Get("log-format") ?? "text", global.Bool("debug"));
            if (global.Bool("version")) { Output.Out(VersionText()); return 0; }
            if (global.Positional.Count == 0 || global.Bool("help") && global.Positional.Count == 0)
            {
                Output.Out(MainHelp());
                return global.Positional.Count == 0 && !global.Bool("help") ? 1 : 0;
            }
            Log.Open();
            string name = global.Positional[0];
            var rest = global.Positional.Skip(1).ToList();
            if (name == "help")
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
                Root = global.Get("root") ?? "/run/csrun",
                SystemdCgroup = global.Bool("systemd-cgroup"),
                Debug = global.Bool("debug"),
            };
            return command.Run(options, args);
        }
        catch (RuntimeError e)
        {
            return Fail(e.Message, e.ExitStatus);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Text.Json.JsonException)
        {
            return Fail(e.Message);
        }
    }

    static int Fail(string message, int status = 1)
    {
        Log.Error(message);
        Output.ErrLine(message);
        return status;
    }

    static ICommand? Find(string name) => Commands.FirstOrDefault(c => c.Name == name);

    static string VersionText() =>
        $"csrun version {Version}\nspec: {SpecVersion}\n";

    static string MainHelp()
    {
        var sb = new StringBuilder();
        sb.Append("NAME:\n   csrun - Open Container Initiative runtime written in C#\n\n");
        sb.Append("USAGE:\n   csrun [global options] command [command options] [arguments...]\n\n");
        sb.Append($"VERSION:\n   {Version}\n   spec: {SpecVersion}\n\nCOMMANDS:\n");
        foreach (var c in Commands) sb.Append($"   {c.Name,-10} {c.Usage}\n");
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

    static void AppendFlags(StringBuilder sb, IEnumerable<FlagSpec> flags)
    {
        foreach (var f in flags)
        {
            string names = "--" + f.Name + (f.Short != null ? ", -" + f.Short : "") + (f.TakesValue ? " value" : "");
            sb.Append($"   {names,-28} {f.Help}\n");
        }
    }
}
