namespace CsRun.Spec;

/// <summary>Placeholder validator (replaced by the spec layer's full one).</summary>
public static class ConfigValidator
{
    public static void Validate(Config c, string bundleDir)
    {
    }
}
