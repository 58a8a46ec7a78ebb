[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

namespace CsRun;

public static class Program
{
    public static int Main(string[] args) => Cli.CommandLine.Run(args);
}
