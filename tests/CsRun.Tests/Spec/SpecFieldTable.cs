namespace CsRun.Tests.Spec;

/// <summary>How csrun handles each field of the runtime-spec model, by JSON path, and the test
/// that shows it. <see cref="SpecModelCoverageTests"/> fails for a field of the model missing
/// here, so a new field cannot be parsed and silently ignored.</summary>
internal static class SpecFieldTable
{
    public enum How { Consumed, Refused, IgnoredBySpec }

    /// <summary>Evidence: "Class.Method" of a test (Consumed: it sets the field and observes the
    /// effect on a real container, a real cgroup or the compiled program; Refused: it checks the
    /// error), or for IgnoredBySpec the spec's own sentence.</summary>
    public sealed record Entry(How How, string Evidence);

    static Entry Consumed(string test) => new(How.Consumed, test);
    static Entry Refused(string test) => new(How.Refused, test);
    static Entry IgnoredBySpec(string quote) => new(How.IgnoredBySpec, quote);

    const string UserTest = "ProcessTests.User_group_additional_groups_and_umask";
    const string ProcessTest = "ProcessTests.Rlimits_cwd_env_and_home";
    const string CapsTest = "ProcessTests.Capability_sets_match_the_config";
    const string SchedTest = "ProcessAttributeTests.The_init_runs_with_the_configs_scheduler_io_priority_and_memory_policy";
    const string DeadlineTest = "ProcessAttributeTests.A_deadline_exec_in_a_pid_namespace_runs_with_its_policy";
    const string AffinityTest = "ProcessAttributeTests.Exec_cpu_affinity_is_initial_until_the_cgroup_is_joined_then_final";
    const string BindTest = "RootfsTests.Bind_mounts_with_options_and_relative_sources";
    const string IdMappedMountTest = "IdmappedMountTests.A_mount_with_its_own_maps_shows_the_mapped_owners_without_a_user_namespace";
    const string HooksTest = "HookTests.Every_phase_runs_in_order_with_the_state_on_stdin";
    const string HookEnvTest = "HookTests.Hooks_without_env_get_runcs_environment_and_working_directory";
    const string HookTimeoutTest = "HookTests.A_hook_past_its_timeout_is_killed_and_fails_create";
    const string UsernsTest = "NamespaceTests.User_namespace_maps_root_to_an_unprivileged_host_uid";
    const string DeviceRuleTest = "V1ResourcesTests.Device_rules_are_written_in_order";
    const string MemoryTest = "V1ResourcesTests.Memory_limits_are_written";
    const string CpuTest = "CgroupCommandTests.Limits_from_config_json_are_in_the_containers_cgroup_files";
    const string GapTests = "SpecFieldGapTests.";
    const string DevicesTest = "RootfsTests.Configured_devices_are_created_with_mode_and_owner";
    const string SeccompOperatorTest = "SeccompKernelTests.Every_operator_matches_in_the_kernel";
    const string SeccompNotifyTest = "SeccompNotifyTests.A_listener_receives_the_fd_and_answers_the_notified_syscall";
    const string IntelRdtTest = "IntelRdtTests.IntelRdt_is_an_error_and_leaves_nothing";
    const string MemoryPolicyTest = "ProcessAttributeTests.Every_memory_policy_mode_and_flag_features_lists_takes_effect";
    const string TimeTest = "NamespaceTests.Time_namespace_offsets_shift_the_monotonic_clock";

    static readonly string[] HookPhases = { "prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop" };

    public static readonly Dictionary<string, Entry> Fields = Build();

    static Dictionary<string, Entry> Build()
    {
        var t = new Dictionary<string, Entry>
        {
            ["ociVersion"] = Consumed("CgroupDropInTests.Pids_limit_0_follows_the_configs_ociVersion"),
            ["process.terminal"] = Consumed("RunTests.Run_with_a_terminal_holds_the_pty_and_copies_its_output"),
            ["process.consoleSize.height"] = Consumed("ConsoleSocketTests.The_pty_master_arrives_on_the_console_socket_and_carries_the_output"),
            ["process.consoleSize.width"] = Consumed("ConsoleSocketTests.The_pty_master_arrives_on_the_console_socket_and_carries_the_output"),
            ["process.user.uid"] = Consumed(UserTest),
            ["process.user.gid"] = Consumed(UserTest),
            ["process.user.umask"] = Consumed(UserTest),
            ["process.user.additionalGids"] = Consumed(UserTest),
            ["process.user.username"] = IgnoredBySpec("config.md, Windows User: \"For Windows based systems the user structure has the following fields: username (string, OPTIONAL) specifies the user name for the process.\""),
            ["process.args"] = Consumed("RunTests.Run_exits_with_the_container_status_or_128_plus_signal"),
            ["process.commandLine"] = IgnoredBySpec("config.md: \"commandLine (string, OPTIONAL) specifies the full command line to be executed on Windows.\""),
            ["process.env"] = Consumed(ProcessTest),
            ["process.cwd"] = Consumed(ProcessTest),
            ["process.capabilities.bounding"] = Consumed(CapsTest),
            ["process.capabilities.effective"] = Consumed(CapsTest),
            ["process.capabilities.inheritable"] = Consumed(CapsTest),
            ["process.capabilities.permitted"] = Consumed(CapsTest),
            ["process.capabilities.ambient"] = Consumed(CapsTest),
            ["process.rlimits[].type"] = Consumed(ProcessTest),
            ["process.rlimits[].hard"] = Consumed(ProcessTest),
            ["process.rlimits[].soft"] = Consumed(ProcessTest),
            ["process.noNewPrivileges"] = Consumed("ProcessTests.No_new_privileges_and_oom_score_adj"),
            ["process.oomScoreAdj"] = Consumed("ProcessTests.No_new_privileges_and_oom_score_adj"),
            // This host has neither AppArmor nor SELinux: there a profile or label is an error.
            ["process.apparmorProfile"] = Refused("LsmTests.An_apparmor_profile_on_a_host_without_apparmor_is_a_clear_error"),
            ["process.selinuxLabel"] = Refused("LsmTests.A_selinux_process_label_on_a_host_without_selinux_is_a_clear_error"),
            ["process.scheduler.policy"] = Consumed(SchedTest),
            ["process.scheduler.priority"] = Consumed(SchedTest),
            ["process.scheduler.nice"] = Consumed("ProcessAttributeTests.Exec_gets_the_containers_settings_unless_its_process_json_has_its_own"),
            ["process.scheduler.flags"] = Consumed("ScheduleCompilerTests.The_scheduler_is_a_sched_attr_of_the_kernels_layout_set_before_the_capability_drop"),
            ["process.scheduler.runtime"] = Consumed(DeadlineTest),
            ["process.scheduler.deadline"] = Consumed(DeadlineTest),
            ["process.scheduler.period"] = Consumed(DeadlineTest),
            ["process.ioPriority.class"] = Consumed(SchedTest),
            ["process.ioPriority.priority"] = Consumed(SchedTest),
            ["process.execCPUAffinity.initial"] = Consumed(AffinityTest),
            ["process.execCPUAffinity.final"] = Consumed(AffinityTest),
            ["root.path"] = Consumed("RootfsTests.Root_is_read_only_when_asked_and_the_host_is_unreachable"),
            ["root.readonly"] = Consumed("RootfsTests.Root_is_read_only_when_asked_and_the_host_is_unreachable"),
            ["hostname"] = Consumed("ProcessTests.Hostname_domainname_and_pid_1"),
            ["domainname"] = Consumed("ProcessTests.Hostname_domainname_and_pid_1"),
            ["mounts[].destination"] = Consumed(BindTest),
            ["mounts[].type"] = Consumed(BindTest),
            ["mounts[].source"] = Consumed(BindTest),
            ["mounts[].options"] = Consumed(BindTest),
            ["annotations"] = Consumed("SpecFieldGapTests.Annotations_reach_state_and_the_hooks_state"),
            ["linux.sysctl"] = Consumed("ProcessTests.Sysctl_is_written_in_the_containers_namespace"),
            ["linux.cgroupsPath"] = Consumed("FailureTests.A_failed_create_removes_the_parent_cgroups_it_made_too"),
            ["linux.namespaces[].type"] = Consumed("ProcessTests.Namespaces_are_new_and_differ_from_the_hosts"),
            ["linux.namespaces[].path"] = Consumed("NamespaceTests.A_second_container_joins_the_first_ones_namespaces_by_path"),
            ["linux.netDevices{}.name"] = Consumed("NetDeviceTests.A_moved_device_is_inside_renamed_with_its_global_addresses_and_up_and_gone_from_the_host"),
            ["linux.rootfsPropagation"] = Consumed("RootfsTests.RootfsPropagation_applies_to_the_containers_root"),
            ["linux.maskedPaths"] = Consumed("RootfsTests.Masked_paths_are_hidden_and_readonly_paths_are_read_only"),
            ["linux.readonlyPaths"] = Consumed("RootfsTests.Masked_paths_are_hidden_and_readonly_paths_are_read_only"),
            ["linux.personality.domain"] = Consumed("ProcessTests.Personality_linux32_changes_uname_machine"),
            ["linux.personality.flags"] = Refused("ConfigValidatorTests.Bad_configs_get_exact_messages"),
            ["linux.timeOffsets{}.secs"] = Consumed(TimeTest),
            ["linux.timeOffsets{}.nanosecs"] = Consumed(TimeTest),
            ["linux.memoryPolicy.mode"] = Consumed(MemoryPolicyTest),
            ["linux.memoryPolicy.nodes"] = Consumed(MemoryPolicyTest),
            ["linux.memoryPolicy.flags"] = Consumed(MemoryPolicyTest),
            ["linux.intelRdt.closID"] = Refused(IntelRdtTest),
            ["linux.intelRdt.l3CacheSchema"] = Refused(IntelRdtTest),
            ["linux.intelRdt.memBwSchema"] = Refused(IntelRdtTest),
            ["linux.intelRdt.enableCMT"] = Refused(IntelRdtTest),
            ["linux.intelRdt.enableMBM"] = Refused(IntelRdtTest),
            ["linux.devices[].path"] = Consumed(DevicesTest),
            ["linux.devices[].type"] = Consumed(DevicesTest),
            ["linux.devices[].major"] = Consumed(DevicesTest),
            ["linux.devices[].minor"] = Consumed(DevicesTest),
            ["linux.devices[].fileMode"] = Consumed(DevicesTest),
            ["linux.devices[].uid"] = Consumed(DevicesTest),
            ["linux.devices[].gid"] = Consumed(DevicesTest),
            ["linux.seccomp.defaultAction"] = Consumed("SeccompKernelTests.Default_errno_38_makes_an_unlisted_syscall_enosys"),
            ["linux.seccomp.defaultErrnoRet"] = Consumed("SeccompKernelTests.Default_errno_38_makes_an_unlisted_syscall_enosys"),
            ["linux.seccomp.architectures"] = Consumed("SeccompCompilerTests.Architectures_are_added_and_the_native_one_may_be_named"),
            ["linux.seccomp.flags"] = Consumed("SeccompCompilerTests.Flags_map_to_the_kernel_bits"),
            ["linux.seccomp.listenerPath"] = Consumed(SeccompNotifyTest),
            ["linux.seccomp.listenerMetadata"] = Consumed(SeccompNotifyTest),
            ["linux.seccomp.syscalls[].names"] = Consumed("SeccompKernelTests.Actions_that_return"),
            ["linux.seccomp.syscalls[].action"] = Consumed("SeccompKernelTests.Actions_that_return"),
            ["linux.seccomp.syscalls[].errnoRet"] = Consumed(SeccompOperatorTest),
            ["linux.seccomp.syscalls[].args[].index"] = Consumed(SeccompOperatorTest),
            ["linux.seccomp.syscalls[].args[].value"] = Consumed(SeccompOperatorTest),
            ["linux.seccomp.syscalls[].args[].valueTwo"] = Consumed(SeccompOperatorTest),
            ["linux.seccomp.syscalls[].args[].op"] = Consumed(SeccompOperatorTest),
            ["linux.resources.devices[].allow"] = Consumed(DeviceRuleTest),
            ["linux.resources.devices[].type"] = Consumed(DeviceRuleTest),
            ["linux.resources.devices[].major"] = Consumed(DeviceRuleTest),
            ["linux.resources.devices[].minor"] = Consumed(DeviceRuleTest),
            ["linux.resources.devices[].access"] = Consumed("DeviceAccessTests.Characters_other_than_r_w_m_are_ignored_with_a_warning"),
            ["linux.resources.memory.limit"] = Consumed(MemoryTest),
            ["linux.resources.memory.reservation"] = Consumed(MemoryTest),
            ["linux.resources.memory.swap"] = Consumed(MemoryTest),
            ["linux.resources.memory.swappiness"] = Consumed(MemoryTest),
            ["linux.resources.blockIO.weight"] = Refused(GapTests + "Blkio_weights_without_cfq_or_bfq_are_errors_naming_the_field"),
            ["linux.resources.blockIO.leafWeight"] = Refused(GapTests + "Blkio_weights_without_cfq_or_bfq_are_errors_naming_the_field"),
            ["linux.resources.blockIO.weightDevice[].major"] = Refused(GapTests + "Blkio_weights_without_cfq_or_bfq_are_errors_naming_the_field"),
            ["linux.resources.blockIO.weightDevice[].minor"] = Refused(GapTests + "Blkio_weights_without_cfq_or_bfq_are_errors_naming_the_field"),
            ["linux.resources.blockIO.weightDevice[].weight"] = Refused(GapTests + "Blkio_weights_without_cfq_or_bfq_are_errors_naming_the_field"),
            ["linux.resources.blockIO.weightDevice[].leafWeight"] = Refused(GapTests + "Blkio_weights_without_cfq_or_bfq_are_errors_naming_the_field"),
            ["linux.resources.memory.useHierarchy"] = Consumed(GapTests + "Use_hierarchy_true_is_written_and_false_is_an_error_naming_the_field"),
            ["linux.resources.memory.kernelTCP"] = Consumed("CgroupDropInTests.KernelTcp_is_set_on_cgroup_v1_and_updated"),
            ["linux.resources.memory.disableOOMKiller"] = Consumed(GapTests + "Cpu_burst_realtime_oom_killer_and_every_throttle_reach_the_containers_cgroups"),
            ["linux.resources.cpu.shares"] = Consumed(CpuTest),
            ["linux.resources.cpu.quota"] = Consumed(CpuTest),
            ["linux.resources.cpu.period"] = Consumed(CpuTest),
            ["linux.resources.cpu.cpus"] = Consumed(CpuTest),
            ["linux.resources.cpu.mems"] = Consumed(CpuTest),
            ["linux.resources.cpu.burst"] = Consumed(GapTests + "Cpu_burst_realtime_oom_killer_and_every_throttle_reach_the_containers_cgroups"),
            ["linux.resources.cpu.realtimeRuntime"] = Consumed(GapTests + "Cpu_burst_realtime_oom_killer_and_every_throttle_reach_the_containers_cgroups"),
            ["linux.resources.cpu.realtimePeriod"] = Consumed(GapTests + "Cpu_burst_realtime_oom_killer_and_every_throttle_reach_the_containers_cgroups"),
            ["linux.resources.cpu.idle"] = Consumed("CgroupDropInTests.Updates_after_cpu_idle_keep_working_and_restore_the_shares"),
            ["linux.resources.pids.limit"] = Consumed(CpuTest),
            ["linux.resources.hugepageLimits[].pageSize"] = Refused(GapTests + "Hugepage_limits_without_hugetlb_are_an_error_naming_the_field"),
            ["linux.resources.hugepageLimits[].limit"] = Refused(GapTests + "Hugepage_limits_without_hugetlb_are_an_error_naming_the_field"),
            ["linux.resources.network.classID"] = Refused("V1ResourcesTests.Resources_for_a_controller_this_host_lacks_name_the_field"),
            ["linux.resources.network.priorities[].name"] = Refused(GapTests + "Net_priorities_without_net_prio_are_an_error_naming_the_field"),
            ["linux.resources.network.priorities[].priority"] = Refused(GapTests + "Net_priorities_without_net_prio_are_an_error_naming_the_field"),
            ["linux.resources.rdma{}.hcaHandles"] = Refused(GapTests + "Rdma_limits_without_rdma_are_an_error_naming_the_field"),
            ["linux.resources.rdma{}.hcaObjects"] = Refused(GapTests + "Rdma_limits_without_rdma_are_an_error_naming_the_field"),
            ["linux.resources.unified"] = Consumed("V2OnHybridTests.Unified_values_are_written_and_an_absent_controller_is_named"),
        };
        foreach (var m in new[] { "uidMappings", "gidMappings" })
            foreach (var f in new[] { "containerID", "hostID", "size" })
            {
                t[$"linux.{m}[].{f}"] = Consumed(UsernsTest);
                t[$"mounts[].{m}[].{f}"] = Consumed(IdMappedMountTest);
            }
        foreach (var phase in HookPhases)
        {
            // Every_phase_runs_in_order runs every phase but startContainer, which has its own.
            string phaseTest = phase == "startContainer" ? "HookTests.StartContainer_hooks_run_inside_the_container_after_start" : HooksTest;
            t[$"hooks.{phase}[].path"] = Consumed(phaseTest);
            t[$"hooks.{phase}[].args"] = Consumed(phaseTest);
            t[$"hooks.{phase}[].env"] = Consumed(HookEnvTest);
            t[$"hooks.{phase}[].timeout"] = Consumed(HookTimeoutTest);
        }
        foreach (var f in new[] { "throttleReadBpsDevice", "throttleWriteBpsDevice", "throttleReadIOPSDevice", "throttleWriteIOPSDevice" })
            foreach (var g in new[] { "major", "minor", "rate" })
                t[$"linux.resources.blockIO.{f}[].{g}"] = Consumed(GapTests + "Cpu_burst_realtime_oom_killer_and_every_throttle_reach_the_containers_cgroups");
        return t;
    }

    /// <summary>Fields csrun parses whose effect no test here shows, or that csrun accepts and
    /// does not apply: each one a decision for the lead. The coverage test prints them.</summary>
    public static readonly Dictionary<string, string> KnownGaps = new()
    {
        ["linux.mountLabel"] =
            "a warning on a host without SELinux, mounts unlabelled (README's departures, crun alike; LsmTests.A_mount_label_on_a_host_without_selinux_is_a_warning_and_mounts_go_unlabelled); no SELinux host here to show it applied.",
        ["linux.resources.memory.kernel"] =
            "accepted with a warning and not applied, as runc (\"Kernel memory settings are ignored and will be removed\"): config-linux.md marks it NOT RECOMMENDED; kmem limits are gone from the kernel (6.x).",
        ["linux.resources.memory.checkBeforeUpdate"] =
            "UNTESTED HERE: it matters on cgroup v2 only (MemoryWriter.CheckUsage); on v1 the kernel itself refuses a limit below usage (V1ResourcesTests.A_memory_limit_below_usage_reports_the_usage). This host's memory controller is on v1.",
    };
}
