using CsRun.Errors;

namespace CsRun.Cli;

internal static class OneId
{
    /// <summary>The single container id a command takes, with runc's message when it is missing.</summary>
    public static string From(ParsedArgs args, string command)
    {
        if (args.Positional.Count != 1) throw new RuntimeError($"\"{command}\" requires exactly 1 argument(s)");
        return args.Positional[0];
    }
}
