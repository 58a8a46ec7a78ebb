using CsRun.Errors;


namespace CsRun.Container;

/// <summary>Container ids become directory names under --root: letters, digits and _+-. only, as runc allows.</summary>
internal static class ContainerId
{
    public const int MaxLength = 1024;

    public static string Validate(string? id)
    {
        if (string.IsNullOrEmpty(id)) throw new RuntimeError("container id cannot be empty");
        if (id.Length > MaxLength) throw new RuntimeError($"invalid id format: {id[..32]}...: longer than {MaxLength} characters");
        if (id == "." || id == ".." || !id.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '_' or '+' or '-' or '.'))
            throw new RuntimeError($"invalid id format: {id}");
        return id;
    }
}
