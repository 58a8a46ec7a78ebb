using System.Text;
using CsRun.Errors;
using CsRun.Linux;

namespace CsRun.Cgroups.Systemd;

/// <summary>An error reply to a method call, such as org.freedesktop.systemd1.NoSuchUnit.</summary>
internal sealed class DBusErrorReply : RuntimeError
{
    public DBusErrorReply(string name, string? text) : base(text != null ? $"{name}: {text}" : name) => Name = name;

    public string Name { get; }
}

/// <summary>
/// A synchronous D-Bus client on csrun's one thread: a unix socket, SASL EXTERNAL
/// authentication, Hello, then method calls that wait (with poll timeouts) for their reply.
/// Signals that arrive meanwhile are kept until <see cref="WaitForSignal"/> looks at them.
/// No thread, task or timer is involved, so a later clone(2) stays safe (docs/design.md).
/// </summary>
internal sealed class DBusConnection : IDisposable
{
    const string BusName = "org.freedesktop.DBus", BusPath = "/org/freedesktop/DBus";

    int _fd;
    uint _serial;
    byte[] _in = new byte[4096];
    int _inStart, _inEnd;
    readonly List<DBusMessage> _signals = new();

    readonly string _peer;

    DBusConnection(int fd, string peer)
    {
        _fd = fd;
        _peer = peer;
    }

    public string UniqueName { get; private set; } = "";

    /// <summary>How long any one exchange may take before csrun gives up.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>True for a peer-to-peer connection (no bus daemon: no Hello, no AddMatch).</summary>
    public bool IsPeer { get; private set; }

    /// <summary>The system bus: $DBUS_SYSTEM_BUS_ADDRESS (a unix:path= address) or /run/dbus/system_bus_socket.</summary>
    public static DBusConnection ConnectSystemBus() =>
        Connect(SocketPath(Environment.GetEnvironmentVariable("DBUS_SYSTEM_BUS_ADDRESS")));

    /// <summary>
    /// The caller's own systemd (systemd --user), as systemctl --user finds it: its private
    /// peer-to-peer socket $XDG_RUNTIME_DIR/systemd/private, which needs no bus daemon (hosts
    /// without dbus-user-session have none), else the user bus ($DBUS_SESSION_BUS_ADDRESS or
    /// $XDG_RUNTIME_DIR/bus).
    /// </summary>
    public static DBusConnection ConnectUserManager() => ConnectUserManager(
        Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR"), Environment.GetEnvironmentVariable("DBUS_SESSION_BUS_ADDRESS"));

    internal static DBusConnection ConnectUserManager(string? xdg, string? sessionBus)
    {
        if (string.IsNullOrEmpty(xdg))
            throw new RuntimeError("rootless --systemd-cgroup needs the user's systemd instance: $XDG_RUNTIME_DIR is not set");
        string direct = Path.Combine(xdg, "systemd", "private");
        if (KernelFile.Exists(direct)) return Connect(direct, peer: "systemd's private socket");
        return Connect(SocketPath(sessionBus, Path.Combine(xdg, "bus"), "DBUS_SESSION_BUS_ADDRESS"), "the user bus");
    }

    /// <summary>
    /// Connects to the bus at that socket, authenticates and says Hello; with a peer name
    /// instead, to that peer directly (authentication only).
    /// </summary>
    internal static DBusConnection Connect(string path, string bus = "the system bus", string? peer = null)
    {
        string what = peer ?? bus;
        int fd = UnixSocket.Connect(path);
        if (fd < 0) throw new RuntimeError($"failed to connect to {what}: dial unix {path}: {Errno.Message(-fd)}");
        var c = new DBusConnection(fd, what) { IsPeer = peer != null };
        try
        {
            c.Authenticate();
            if (c.IsPeer) return c;
            var reply = c.Call(BusName, BusPath, BusName, "Hello", "", null);
            c.UniqueName = reply.Body().String();
            return c;
        }
        catch
        {
            c.Dispose();
            throw;
        }
    }

    /// <summary>The socket of a "unix:path=/x,guid=..." address (the first unix:path entry).</summary>
    internal static string SocketPath(string? address, string fallback = "/run/dbus/system_bus_socket", string variable = "DBUS_SYSTEM_BUS_ADDRESS")
    {
        if (string.IsNullOrEmpty(address)) return fallback;
        foreach (string entry in address.Split(';'))
        {
            if (!entry.StartsWith("unix:", StringComparison.Ordinal)) continue;
            foreach (string kv in entry[5..].Split(','))
            {
                if (kv.StartsWith("path=", StringComparison.Ordinal)) return Unescape(kv[5..]);
            }
        }
        throw new RuntimeError($"{variable}={address}: csrun can only use a unix:path= address");
    }

    /// <summary>D-Bus addresses escape bytes as %XX.</summary>
    static string Unescape(string s)
    {
        if (!s.Contains('%')) return s;
        var bytes = new List<byte>();
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] == '%' && i + 2 < s.Length && byte.TryParse(s.AsSpan(i + 1, 2), System.Globalization.NumberStyles.HexNumber, null, out byte b))
            {
                bytes.Add(b);
                i += 2;
            }
            else bytes.AddRange(Encoding.UTF8.GetBytes(s[i].ToString()));
        }
        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    /// <summary>
    /// SASL EXTERNAL: the bus checks our uid from the socket (SO_PEERCRED) against the one we
    /// name (<see cref="PeerUid"/>), in hex of its decimal text. The leading NUL byte is the credentials byte. BEGIN
    /// goes in the same write, as sd-bus clients send it: systemd's own server (its private
    /// socket) leaves the authentication when it reads BEGIN, and message bytes it read along
    /// with a late BEGIN wait unparsed until more data comes (the first call hung), so no
    /// message may follow BEGIN before the OK has come back.
    /// </summary>
    void Authenticate()
    {
        string uid = PeerUid.Get().ToString(System.Globalization.CultureInfo.InvariantCulture);
        Send(Encoding.ASCII.GetBytes("\0AUTH EXTERNAL " + Convert.ToHexStringLower(Encoding.ASCII.GetBytes(uid)) + "\r\nBEGIN\r\n"));
        string line = ReadLine();
        if (!line.StartsWith("OK ", StringComparison.Ordinal))
            throw new RuntimeError($"{_peer} refused csrun's authentication: {line}");
    }

    string ReadLine()
    {
        long deadline = Deadline();
        while (true)
        {
            int nl = Array.IndexOf(_in, (byte)'\n', _inStart, _inEnd - _inStart);
            if (nl >= 0)
            {
                string line = Encoding.ASCII.GetString(_in, _inStart, nl - _inStart).TrimEnd('\r');
                _inStart = nl + 1;
                return line;
            }
            if (_inEnd - _inStart > 1024) throw new RuntimeError($"{_peer} sent an overlong authentication line");
            Fill(deadline);
        }
    }

    /// <summary>Calls a method and returns its reply; an error reply throws <see cref="DBusErrorReply"/>.</summary>
    public DBusMessage Call(string destination, string path, string iface, string member, string signature, Action<DBusWriter>? body)
    {
        uint serial = ++_serial;
        Send(DBusMessage.MethodCall(serial, destination, path, iface, member, signature, body));
        long deadline = Deadline();
        while (true)
        {
            var m = Receive(deadline, $"the reply to {member}");
            switch (m.Type)
            {
                case DBusMessageType.MethodReturn when m.ReplySerial == serial:
                    return m;
                case DBusMessageType.Error when m.ReplySerial == serial:
                    throw new DBusErrorReply(m.ErrorName ?? "org.freedesktop.DBus.Error.Failed", m.FirstString());
                case DBusMessageType.Signal:
                    _signals.Add(m);
                    break;
            }
        }
    }

    /// <summary>Asks the bus to route signals matching the rule to this connection.</summary>
    public void AddMatch(string rule) => Call(BusName, BusPath, BusName, "AddMatch", "s", w => w.String(rule));

    /// <summary>The first signal (kept or new) that <paramref name="match"/> accepts; it is consumed.</summary>
    public DBusMessage WaitForSignal(Func<DBusMessage, bool> match, string what)
    {
        for (int i = 0; i < _signals.Count; i++)
        {
            if (!match(_signals[i])) continue;
            var kept = _signals[i];
            _signals.RemoveAt(i);
            return kept;
        }
        long deadline = Deadline();
        while (true)
        {
            var m = Receive(deadline, what);
            if (m.Type == DBusMessageType.Signal && match(m)) return m;
        }
    }

    /// <summary>For a peer that answers calls (the tests' fake systemd): the next message of any kind.</summary>
    internal DBusMessage Next() => Receive(Deadline(), "a message");

    internal uint NextSerial() => ++_serial;

    internal void SendMessage(byte[] message) => Send(message);

    DBusMessage Receive(long deadline, string what)
    {
        while (_inEnd - _inStart < DBusMessage.PrefixLength) Fill(deadline, what);
        int total = DBusMessage.TotalLength(_in.AsSpan(_inStart, DBusMessage.PrefixLength));
        while (_inEnd - _inStart < total) Fill(deadline, what);
        byte[] data = _in.AsSpan(_inStart, total).ToArray();
        _inStart += total;
        return DBusMessage.Parse(data);
    }

    void Fill(long deadline, string? what = null)
    {
        what ??= _peer + " to answer";
        if (_inStart > 0)
        {
            Array.Copy(_in, _inStart, _in, 0, _inEnd - _inStart);
            _inEnd -= _inStart;
            _inStart = 0;
        }
        if (_inEnd == _in.Length) Array.Resize(ref _in, _in.Length * 2);
        int left = (int)Math.Max(deadline - Environment.TickCount64, 0);
        int n = UnixSocket.Receive(_fd, _in.AsSpan(_inEnd), left);
        if (n == -Errno.ETIMEDOUT) throw new RuntimeError($"timed out after {Timeout.TotalSeconds:0}s waiting for {what}");
        if (n < 0) throw new RuntimeError($"read from {_peer}: {Errno.Message(-n)}");
        if (n == 0) throw new RuntimeError($"{_peer} closed the connection");
        _inEnd += n;
    }

    void Send(ReadOnlySpan<byte> data)
    {
        int r = UnixSocket.SendAll(_fd, data, (int)Timeout.TotalMilliseconds);
        if (r < 0) throw new RuntimeError($"write to {_peer}: {Errno.Message(-r)}");
    }

    long Deadline() => Environment.TickCount64 + (long)Timeout.TotalMilliseconds;

    public void Dispose()
    {
        UnixSocket.Close(_fd);
        _fd = -1;
    }
}
