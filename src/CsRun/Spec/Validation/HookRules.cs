namespace CsRun.Spec.Validation;

/// <summary>hooks.*[]: an absolute path (config.md extends execv's), a positive timeout.</summary>
internal static class HookRules
{
    public static void Validate(Context ctx)
    {
        var h = ctx.Config.Hooks;
        if (h == null) return;
        Kind(h.Prestart, "prestart");
        Kind(h.CreateRuntime, "createRuntime");
        Kind(h.CreateContainer, "createContainer");
        Kind(h.StartContainer, "startContainer");
        Kind(h.Poststart, "poststart");
        Kind(h.Poststop, "poststop");
    }

    static void Kind(List<Hook>? hooks, string name)
    {
        if (hooks == null) return;
        for (int i = 0; i < hooks.Count; i++)
        {
            string at = $"hooks.{name}[{i}]";
            Check.Absolute(hooks[i].Path, $"{at}.path");
            Check.NoNul(hooks[i].Path, $"{at}.path");
            ProcessRules.Env(hooks[i].Env, $"{at}.env");
            if (hooks[i].Timeout is <= 0) throw Check.Fail($"{at}.timeout", $"must be greater than 0 (got {hooks[i].Timeout})");
        }
    }
}
