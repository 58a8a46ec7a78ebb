namespace CsRun.Spec.Validation;

/// <summary>process: what runc checks before create, the rlimit, scheduler and ioPriority
/// rules, and what the kernel would refuse later with a bare EINVAL.</summary>
internal static class ProcessRules
{
    public static void Validate(Context ctx)
    {
        // Required for create and run (runc refuses a config without it even for create).
        var p = ctx.Config.Process ?? throw Check.Fail("process", "must be set");

        if (p.Args == null || p.Args.Count == 0) throw Check.Fail("process.args", "must not be empty");
        if (p.Args[0].Length == 0) throw Check.Fail("process.args[0]", "must not be empty");
        for (int i = 0; i < p.Args.Count; i++) Check.NoNul(p.Args[i], $"process.args[{i}]");
        Check.Absolute(p.Cwd, "process.cwd");
        User(p.User, "process.user");
        Env(p.Env, "process.env");
        Rlimits(p.Rlimits);

        if (p.OomScoreAdj is < -1000 or > 1000)
            throw Check.Fail("process.oomScoreAdj", $"must be from -1000 to 1000 (got {p.OomScoreAdj})");
        Scheduling(p);
    }

    /// <summary>scheduler, ioPriority and execCPUAffinity; also for exec's process.json.</summary>
    public static void Scheduling(ProcessConfig p)
    {
        if (p.Scheduler != null) Scheduler(p.Scheduler);
        if (p.IoPriority != null)
        {
            Check.OneOf(p.IoPriority.Class, SpecNames.IoPriorityClasses.Keys, "process.ioPriority.class");
            if (p.IoPriority.Priority is < 0 or > 7)
                throw Check.Fail("process.ioPriority.priority", $"must be from 0 to 7 (got {p.IoPriority.Priority})");
        }
        if (p.ExecCpuAffinity != null)
        {
            Check.CpuList(p.ExecCpuAffinity.Initial, "process.execCPUAffinity.initial");
            Check.CpuList(p.ExecCpuAffinity.Final, "process.execCPUAffinity.final");
        }
    }

    /// <summary>The largest id the kernel's set*id calls and runc accept: 2^31-1. The ids are
    /// unsigned in config.json, and setresuid(2) takes 4294967295 as (uid_t)-1, "leave it as it
    /// is": the process would stay root. Also used for exec's process.</summary>
    public const uint MaxId = int.MaxValue;

    /// <summary>uid, gid and additionalGids in 0..2^31-1 (runc: "uids and gids must be in range 0-2147483647").</summary>
    public static void User(User? user, string path)
    {
        if (user == null) return;
        Id(user.Uid, $"{path}.uid");
        Id(user.Gid, $"{path}.gid");
        if (user.AdditionalGids != null)
            for (int i = 0; i < user.AdditionalGids.Count; i++) Id(user.AdditionalGids[i], $"{path}.additionalGids[{i}]");
    }

    static void Id(uint id, string path)
    {
        if (id > MaxId) throw Check.Fail(path, $"must be in range 0-{MaxId} (got {id})");
    }

    /// <summary>NAME=VALUE entries (runc's prepareEnv rules). Also used for hooks.</summary>
    public static void Env(List<string>? env, string path)
    {
        if (env == null) return;
        for (int i = 0; i < env.Count; i++)
        {
            int eq = env[i].IndexOf('=');
            if (eq <= 0) throw Check.Fail($"{path}[{i}]", $"must be NAME=VALUE (got \"{env[i]}\")");
            Check.NoNul(env[i], $"{path}[{i}]");
        }
    }

    static void Rlimits(List<Rlimit>? rlimits)
    {
        if (rlimits == null) return;
        for (int i = 0; i < rlimits.Count; i++)
        {
            var r = rlimits[i];
            Check.OneOf(r.Type, SpecNames.Rlimits.Keys, $"process.rlimits[{i}].type");
            if (r.Soft > r.Hard)
                throw Check.Fail($"process.rlimits[{i}].soft", $"must not exceed hard (soft {r.Soft}, hard {r.Hard})");
        }
        Check.Unique(rlimits, r => r.Type, "process.rlimits", "type");
    }

    /// <summary>runc's reading of sched_setattr(2).</summary>
    static void Scheduler(Scheduler s)
    {
        const string at = "process.scheduler";
        if (string.IsNullOrEmpty(s.Policy)) throw Check.Fail($"{at}.policy", "must be set");
        Check.OneOf(s.Policy, SpecNames.SchedulerPolicies.Keys, $"{at}.policy");
        bool fair = s.Policy is "SCHED_OTHER" or "SCHED_BATCH";
        if (fair && s.Nice is < -20 or > 19)
            throw Check.Fail($"{at}.nice", $"must be from -20 to 19 for {s.Policy} (got {s.Nice})");
        if (s.Priority is not null and not 0 && s.Policy is not ("SCHED_FIFO" or "SCHED_RR"))
            throw Check.Fail($"{at}.priority", "can only be set for SCHED_FIFO and SCHED_RR");
        bool deadlineParams = s.Runtime is not null and not 0 || s.Deadline is not null and not 0 || s.Period is not null and not 0;
        if (deadlineParams && s.Policy != "SCHED_DEADLINE")
            throw Check.Fail(at, "runtime, deadline and period can only be set for SCHED_DEADLINE");
        if (s.Flags != null)
            for (int i = 0; i < s.Flags.Count; i++) Check.OneOf(s.Flags[i], SpecNames.SchedulerFlags.Keys, $"{at}.flags[{i}]");
    }
}
