using System.Text.Json;
using CsRun.Tests.Integration;

namespace CsRun.Tests.Spec;

/// <summary>Every key `csrun features` advertises, with the test that shows it taking effect
/// ("Class.Method"). <see cref="SpecModelCoverageTests"/> fails for an advertised key missing
/// here, so features cannot claim what csrun does not do.</summary>
internal static class FeatureTable
{
    /// <summary>The keys of a features document: each hook, mount option and namespace by
    /// name (`mountOptions.rro`), every other list as a whole (`linux.seccomp.actions`), every
    /// `true` (`linux.cgroup.v1`), and a section whose `enabled` is true (`linux.netDevices`);
    /// a section whose `enabled` is false offers nothing and is left out.</summary>
    public static HashSet<string> Advertised(JsonElement features)
    {
        var keys = new HashSet<string>();
        Walk(features, "", keys);
        return keys;
    }

    static readonly HashSet<string> ByElement = new() { "hooks", "mountOptions", "linux.namespaces" };
    static readonly HashSet<string> NotFeatures = new() { "ociVersionMin", "ociVersionMax", "annotations" };

    static void Walk(JsonElement e, string at, HashSet<string> keys)
    {
        if (NotFeatures.Contains(at)) return;
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                if (e.TryGetProperty("enabled", out var enabled))
                {
                    if (enabled.ValueKind != JsonValueKind.True) return;
                    keys.Add(at);
                }
                foreach (var p in e.EnumerateObject())
                    if (p.Name != "enabled") Walk(p.Value, at.Length == 0 ? p.Name : $"{at}.{p.Name}", keys);
                break;
            case JsonValueKind.Array:
                if (ByElement.Contains(at)) foreach (var item in e.EnumerateArray()) keys.Add($"{at}.{item.GetString()}");
                else keys.Add(at);
                break;
            case JsonValueKind.False:
                break;
            default:
                keys.Add(at);
                break;
        }
    }

    const string Flags = "MountOptionEffectTests.Each_flag_option_shows_in_the_containers_mountinfo";
    const string Recursive = "MountOptionEffectTests.Each_recursive_option_reaches_a_submount";
    const string Propagation = "MountOptionEffectTests.Propagation_options_show_in_the_containers_mountinfo";
    const string Namespaces = "ProcessTests.Namespaces_are_new_and_differ_from_the_hosts";
    const string Hooks = "HookTests.Every_phase_runs_in_order_with_the_state_on_stdin";

    public static readonly Dictionary<string, string> Keys = Build();

    static Dictionary<string, string> Build()
    {
        var t = new Dictionary<string, string>
        {
            ["mountOptions.bind"] = "RootfsTests.Bind_mounts_with_options_and_relative_sources",
            ["mountOptions.rbind"] = "UsernsBindSourceTests.A_recursive_bind_brings_submounts_and_the_user_namespace_cannot_unmount_them",
            ["mountOptions.relatime"] = "MountOptionEffectTests.Relatime_on_a_bind_of_a_noatime_mount_makes_it_relatime",
            ["mountOptions.idmap"] = "IdmappedMountTests.A_user_namespace_container_owns_a_root_owned_host_directory_and_the_host_sees_its_files_as_root",
            ["mountOptions.ridmap"] = "IdmappedMountTests.Ridmap_maps_the_submounts_of_an_rbind_and_idmap_only_its_top",
            ["linux.mountExtensions.idmap"] = "IdmappedMountTests.A_user_namespace_container_owns_a_root_owned_host_directory_and_the_host_sees_its_files_as_root",
            ["mountOptions.tmpcopyup"] = "MountCopyUpTests.Tmpcopyup_copies_the_directory_into_the_tmpfs_with_modes_owners_and_links",
            ["linux.namespaces.user"] = "NamespaceTests.User_namespace_maps_root_to_an_unprivileged_host_uid",
            ["linux.namespaces.time"] = "NamespaceTests.Time_namespace_offsets_shift_the_monotonic_clock",
            ["linux.capabilities"] = "ProcessTests.Capability_sets_match_the_config",
            ["linux.cgroup.v1"] = "CgroupCommandTests.Limits_from_config_json_are_in_the_containers_cgroup_files",
            ["linux.cgroup.v2"] = "V2OnHybridTests.Unified_values_are_written_and_an_absent_controller_is_named",
            ["linux.cgroup.systemd"] = "SystemdBusTests.The_manager_starts_the_scope_applies_resources_and_stops_it",
            // the scope in a real systemd --user: tests/vm/cgroup-v2.sh rootless_systemd_test (the VM)
            ["linux.cgroup.systemdUser"] = "UserSystemdTests.The_private_socket_is_a_peer_connection_without_Hello",
            ["linux.seccomp"] = "SeccompKernelTests.Docker_profile_runs_true_and_refuses_unshare_and_mount",
            ["linux.seccomp.actions"] = "SeccompKernelTests.Actions_that_return",
            ["linux.seccomp.operators"] = "SeccompKernelTests.Every_operator_matches_in_the_kernel",
            ["linux.seccomp.archs"] = "SeccompCompilerTests.Architectures_are_added_and_the_native_one_may_be_named",
            ["linux.seccomp.knownFlags"] = "SeccompCompilerTests.Flags_map_to_the_kernel_bits",
            ["linux.seccomp.supportedFlags"] = "SeccompCompilerTests.Flags_map_to_the_kernel_bits",
            ["linux.memoryPolicy.modes"] = "ProcessAttributeTests.Every_memory_policy_mode_and_flag_features_lists_takes_effect",
            ["linux.memoryPolicy.flags"] = "ProcessAttributeTests.Every_memory_policy_mode_and_flag_features_lists_takes_effect",
            ["linux.netDevices"] = "NetDeviceTests.A_moved_device_is_inside_renamed_with_its_global_addresses_and_up_and_gone_from_the_host",
        };
        foreach (var h in new[] { "prestart", "createRuntime", "createContainer", "poststart", "poststop" })
            t[$"hooks.{h}"] = Hooks;
        t["hooks.startContainer"] = "HookTests.StartContainer_hooks_run_inside_the_container_after_start";
        foreach (var ns in new[] { "cgroup", "ipc", "mount", "network", "pid", "uts" })
            t[$"linux.namespaces.{ns}"] = Namespaces;
        foreach (var o in MountOptionEffects.Flag.Keys) t[$"mountOptions.{o}"] = Flags;
        foreach (var o in MountOptionEffects.Recursive.Keys) t[$"mountOptions.{o}"] = Recursive;
        foreach (var o in MountOptionEffects.Propagation.Keys) t[$"mountOptions.{o}"] = Propagation;
        return t;
    }

    /// <summary>Advertised keys no test shows taking effect, and why; printed by the test.</summary>
    public static readonly Dictionary<string, string> KnownGaps = new()
    {
        ["mountOptions.norelatime"] = "clears MS_RELATIME, which the kernel gives a new or remounted mount anyway unless noatime or strictatime is asked: nothing to observe.",
        ["mountOptions.silent"] = "MS_SILENT only quietens the kernel's log for this mount: nothing to observe from the container.",
        ["mountOptions.loud"] = "clears MS_SILENT: nothing to observe from the container.",
        ["mountOptions.defaults"] = "means no flag at all (runc: 0): nothing to observe.",
        ["mountOptions.iversion"] = "MS_I_VERSION is a superblock flag mountinfo does not show (tmpfs keeps i_version anyway): no test observes it.",
        ["mountOptions.noiversion"] = "clears MS_I_VERSION: no test observes it.",
        ["mountOptions.remount"] = "accepted with bind (FeaturesMountOptionsTests.Every_listed_mount_option_is_accepted_by_create) but no test shows what it changes.",
        ["linux.cgroup.rdma"] = "this host has no rdma controller: SpecFieldGapTests.Rdma_limits_without_rdma_are_an_error_naming_the_field shows only the error.",
    };
}
