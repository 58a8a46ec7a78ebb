[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

namespace CsRun;

public static class Program
{
    public static int Main(string[] args)
    {
        Container.EarlySignals.ReleaseOnMainThread(Container.SignalForwarder.ForwardedMask);
        return Cli.CommandLine.Run(args);
    }
}
