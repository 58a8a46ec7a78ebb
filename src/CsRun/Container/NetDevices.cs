using System.Buffers.Binary;
using System.Net;
using CsRun.Errors;
using CsRun.Linux;
using CsRun.Spec;
using CsRun.Spec.Validation;

namespace CsRun.Container;

/// <summary>
/// linux.netDevices (config-linux.md "Network Devices", runc 1.3's devChangeNetNamespace): the
/// parent moves each named interface of its own network namespace into the init's, renamed in
/// the same RTM_NEWLINK, puts back its permanent global addresses (the move drops them) and sets
/// it up. The child waits at a sync point meanwhile, in all its namespaces. Nothing is done at
/// delete: the spec forbids moving a device out; the kernel returns a physical device to the
/// initial namespace and destroys a virtual one when the container's namespace goes.
/// </summary>
internal static class NetDevices
{
    const ushort IflaIfname = 3, IflaNetNsFd = 28;
    const ushort IfaAddress = 1, IfaLocal = 2, IfaBroadcast = 4, IfaFlags = 8, IfaRtPriority = 9, IfaProto = 11;
    const int IfInfoSize = 16, IfAddrSize = 8;
    const byte IfaFPermanent = 0x80, RtScopeUniverse = 0;
    const uint IffUp = 1;

    /// <summary>What an address carries over: the label (named after the old name) and the
    /// cache info (a permanent address has no lifetime) stay behind.</summary>
    static bool Carried(ushort type) => type is IfaAddress or IfaLocal or IfaBroadcast or IfaFlags or IfaRtPriority or IfaProto;

    sealed class Device(string at, string hostName, string name, int index, List<byte[]> addresses)
    {
        public string At => at;
        public string HostName => hostName;
        public string Name => name;
        public int Index => index;
        public List<byte[]> Addresses => addresses;
    }

    public static void Move(int initPid, Dictionary<string, NetDevice> devices)
    {
        int netns = Files.Open($"/proc/{initPid}/ns/net", O.RdOnly, "linux.netDevices: the container's network namespace");
        try
        {
            Must(RtNetlink.Open(out var host), "linux.netDevices", "netlink socket");
            using (host!)
            {
                Must(RtNetlink.OpenIn(netns, out var inside), "linux.netDevices", "netlink socket in the container's network namespace");
                using (inside!)
                {
                    // Every device is checked first: one missing on the host, or a name taken in the
                    // container, fails the create before any has moved (the kernel would apply such a
                    // rename after the move, and the device would die with the container's namespace).
                    var planned = new List<Device>();
                    foreach (var (hostName, dev) in devices) planned.Add(Find(host!, inside!, hostName, dev));
                    foreach (var d in planned) MoveOne(host!, inside!, netns, d);
                }
            }
        }
        finally
        {
            Files.Close(netns);
        }
    }

    static Device Find(RtNetlink host, RtNetlink inside, string hostName, NetDevice dev)
    {
        string at = Check.Key("linux.netDevices", hostName);
        Must(host.Get(LinkNamed(hostName), out var link), at, $"RTM_GETLINK {hostName} in the runtime's network namespace");
        int index = BinaryPrimitives.ReadInt32LittleEndian(link!.AsSpan(4));

        // RFC 3549 2.3.3.2, as the spec and runc keep them: permanent addresses of global scope.
        var all = new List<byte[]>();
        Must(host.Dump(new NetlinkMessage(RtNetlink.RtmGetAddr, RtNetlink.FRequest | RtNetlink.FDump, new byte[IfAddrSize]), all),
            at, $"RTM_GETADDR {hostName}");
        var kept = all.FindAll(a => a.Length >= IfAddrSize && BinaryPrimitives.ReadInt32LittleEndian(a.AsSpan(4)) == index
            && (a[2] & IfaFPermanent) != 0 && a[3] == RtScopeUniverse);
        var d = new Device(at, hostName, string.IsNullOrEmpty(dev.Name) ? hostName : dev.Name, index, kept);
        if (!d.Name.Contains('%') && inside.Get(LinkNamed(d.Name), out _) == 0)
            throw new RuntimeError($"{at}: {d.Name} in the container's network namespace: {Errno.Message(Errno.EEXIST)}");
        return d;
    }

    static void MoveOne(RtNetlink host, RtNetlink inside, int netns, Device d)
    {
        string name = d.Name.Contains('%') ? FirstFree(inside, d) : d.Name;
        var move = new NetlinkMessage(RtNetlink.RtmNewLink, RtNetlink.FRequest | RtNetlink.FAck, IfInfo(d.Index, 0))
            .AttrU32(IflaNetNsFd, (uint)netns).AttrString(IflaIfname, name);
        Must(host.Change(move), d.At, $"RTM_NEWLINK move {d.HostName} into the container's network namespace as {name}");

        Must(inside.Get(LinkNamed(name), out var link), d.At, $"RTM_GETLINK {name} in the container's network namespace");
        int index = BinaryPrimitives.ReadInt32LittleEndian(link!.AsSpan(4));

        foreach (var a in d.Addresses)
        {
            var header = a.AsSpan(0, IfAddrSize).ToArray();
            BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(4), index);
            var add = new NetlinkMessage(RtNetlink.RtmNewAddr, RtNetlink.FRequest | RtNetlink.FAck | RtNetlink.FCreate | RtNetlink.FReplace, header);
            foreach (var attr in NetlinkMessage.Attributes(a, IfAddrSize))
                if (Carried(attr.Type)) add.Attr(attr.Type, attr.Value);
            Must(inside.Change(add), d.At, $"RTM_NEWADDR {Describe(a)} on {name}");
        }

        var up = new NetlinkMessage(RtNetlink.RtmNewLink, RtNetlink.FRequest | RtNetlink.FAck, IfInfo(index, IffUp));
        Must(inside.Change(up), d.At, $"RTM_NEWLINK set {name} up");
    }

    /// <summary>A "%d" name as the kernel's dev_alloc_name would fill it in the container's
    /// namespace; naming it ourselves lets us find the device after the move.</summary>
    static string FirstFree(RtNetlink inside, Device d)
    {
        var links = new List<byte[]>();
        Must(inside.Dump(new NetlinkMessage(RtNetlink.RtmGetLink, RtNetlink.FRequest | RtNetlink.FDump, new byte[IfInfoSize]), links),
            d.At, "RTM_GETLINK (dump) in the container's network namespace");
        var taken = new HashSet<string>();
        foreach (var l in links)
            foreach (var a in NetlinkMessage.Attributes(l, IfInfoSize))
                if (a.Type == IflaIfname) taken.Add(System.Text.Encoding.UTF8.GetString(a.Value).TrimEnd('\0'));
        for (int i = 0; i < 32768; i++)
        {
            string name = d.Name.Replace("%d", i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (!taken.Contains(name)) return name;
        }
        throw new RuntimeError($"{d.At}.name: no free name for {d.Name} in the container's network namespace");
    }

    static NetlinkMessage LinkNamed(string name) =>
        new NetlinkMessage(RtNetlink.RtmGetLink, RtNetlink.FRequest, new byte[IfInfoSize]).AttrString(IflaIfname, name);

    /// <summary>struct ifinfomsg: AF_UNSPEC, the index, and the flags to change (IFF_UP).</summary>
    static byte[] IfInfo(int index, uint up)
    {
        var m = new byte[IfInfoSize];
        BinaryPrimitives.WriteInt32LittleEndian(m.AsSpan(4), index);
        BinaryPrimitives.WriteUInt32LittleEndian(m.AsSpan(8), up);
        BinaryPrimitives.WriteUInt32LittleEndian(m.AsSpan(12), up);
        return m;
    }

    /// <summary>"10.1.2.3/24" for an ifaddrmsg and its attributes (IFA_LOCAL, else IFA_ADDRESS).</summary>
    static string Describe(byte[] a)
    {
        var attrs = NetlinkMessage.Attributes(a, IfAddrSize);
        var ip = (attrs.Find(x => x.Type == IfaLocal) ?? attrs.Find(x => x.Type == IfaAddress))?.Value;
        return ip is { Length: 4 or 16 } ? $"{new IPAddress(ip)}/{a[1]}" : $"address/{a[1]}";
    }

    static void Must(int r, string at, string what)
    {
        if (r < 0) throw new RuntimeError($"{at}: {what}: {Errno.Message(-r)}");
    }
}
