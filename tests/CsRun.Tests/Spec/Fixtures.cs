namespace CsRun.Tests.Spec;

/// <summary>The repository's spec-fixtures/ folder, found upwards from the test binary.</summary>
internal static class Fixtures
{
    public static string Root { get; } = Find();

    public static string PathOf(string relative) => System.IO.Path.Combine(Root, relative);

    public static IEnumerable<string> In(string folder) =>
        Directory.EnumerateFiles(PathOf(folder), "*.json").OrderBy(f => f, StringComparer.Ordinal);

    static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            string candidate = System.IO.Path.Combine(dir.FullName, "spec-fixtures");
            if (Directory.Exists(candidate)) return candidate;
        }
        throw new DirectoryNotFoundException("spec-fixtures/ not found above " + AppContext.BaseDirectory);
    }
}
