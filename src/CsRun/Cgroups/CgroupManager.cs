using CsRun.Spec;

namespace CsRun.Cgroups;

/// <summary>Placeholder until the cgroupfs managers land: does nothing.</summary>
internal static class CgroupManager
{
    public static ICgroupManager ForContainer(string id, string? cgroupsPath, bool systemd) => new NoCgroup();
    public static ICgroupManager FromPaths(IReadOnlyDictionary<string, string> paths) => new NoCgroup();

    sealed class NoCgroup : ICgroupManager
    {
        public IReadOnlyDictionary<string, string> Paths { get; } = new Dictionary<string, string>();
        public void Create() { }
        public void AddProcess(int pid) { }
        public void Apply(Resources? resources) { }
        public IReadOnlyList<int> Pids() => Array.Empty<int>();
        public void Freeze(bool frozen) { }
        public bool IsFrozen() => false;
        public void Destroy() { }
    }
}
