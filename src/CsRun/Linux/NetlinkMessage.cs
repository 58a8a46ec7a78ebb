using System.Buffers.Binary;
using System.Text;

namespace CsRun.Linux;

/// <summary>
/// One rtnetlink request being built: the nlmsghdr, the family header (ifinfomsg, ifaddrmsg)
/// and rtattrs, each padded to 4 bytes as NLMSG_ALIGN/RTA_ALIGN do.
/// </summary>
internal sealed class NetlinkMessage
{
    public const int HeaderSize = 16;
    byte[] _buf = new byte[256];
    int _len;

    public NetlinkMessage(ushort type, ushort flags, ReadOnlySpan<byte> familyHeader)
    {
        _len = HeaderSize;
        BinaryPrimitives.WriteUInt16LittleEndian(_buf.AsSpan(4), type);
        BinaryPrimitives.WriteUInt16LittleEndian(_buf.AsSpan(6), flags);
        Append(familyHeader);
    }

    public NetlinkMessage Attr(ushort type, ReadOnlySpan<byte> value)
    {
        Span<byte> head = stackalloc byte[4];
        BinaryPrimitives.WriteUInt16LittleEndian(head, (ushort)(4 + value.Length));
        BinaryPrimitives.WriteUInt16LittleEndian(head[2..], type);
        Append(head);
        Append(value);
        return this;
    }

    public NetlinkMessage AttrU32(ushort type, uint value)
    {
        Span<byte> v = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(v, value);
        return Attr(type, v);
    }

    /// <summary>A NUL-terminated string, as IFLA_IFNAME wants.</summary>
    public NetlinkMessage AttrString(ushort type, string value) => Attr(type, Encoding.UTF8.GetBytes(value + "\0"));

    /// <summary>The finished message with its length and sequence number filled in.</summary>
    public byte[] Finish(uint seq)
    {
        var msg = _buf.AsSpan(0, _len).ToArray();
        BinaryPrimitives.WriteUInt32LittleEndian(msg, (uint)_len);
        BinaryPrimitives.WriteUInt32LittleEndian(msg.AsSpan(8), seq);
        return msg;
    }

    void Append(ReadOnlySpan<byte> data)
    {
        int padded = (data.Length + 3) & ~3;
        if (_len + padded > _buf.Length) Array.Resize(ref _buf, Math.Max(_buf.Length * 2, _len + padded));
        data.CopyTo(_buf.AsSpan(_len));
        _buf.AsSpan(_len + data.Length, padded - data.Length).Clear();
        _len += padded;
    }

    /// <summary>The rtattrs of a received message's payload after its family header, with
    /// NLA_F_NESTED and NLA_F_NET_BYTEORDER masked off the type.</summary>
    public static List<NetlinkAttribute> Attributes(byte[] payload, int familyHeaderSize)
    {
        var list = new List<NetlinkAttribute>();
        int at = (familyHeaderSize + 3) & ~3;
        while (at + 4 <= payload.Length)
        {
            int len = BinaryPrimitives.ReadUInt16LittleEndian(payload.AsSpan(at));
            ushort type = (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(payload.AsSpan(at + 2)) & 0x3fff);
            if (len < 4 || at + len > payload.Length) break;
            list.Add(new NetlinkAttribute(type, payload.AsSpan(at + 4, len - 4).ToArray()));
            at += (len + 3) & ~3;
        }
        return list;
    }
}

/// <summary>A received rtattr (a class: generic code over it is shared, where a tuple's is not).</summary>
internal sealed class NetlinkAttribute(ushort type, byte[] value)
{
    public ushort Type => type;
    public byte[] Value => value;
}
