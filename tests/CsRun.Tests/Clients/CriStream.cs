using System.Net.WebSockets;
using System.Text;

namespace CsRun.Tests.Clients;

/// <summary>
/// The client side of a CRI streaming exec, as kubectl exec reaches it through the API server: a
/// WebSocket to the URL the Exec call returned, subprotocol v4.channel.k8s.io. Each binary message
/// starts with its channel: 0 stdin, 1 stdout, 2 stderr, 3 the final status (JSON), 4 resize (JSON).
/// </summary>
internal sealed class CriStream : IAsyncDisposable
{
    const byte Stdin = 0, Stdout = 1, Stderr = 2, Error = 3, Resize = 4;

    readonly ClientWebSocket _ws = new();
    readonly StringBuilder _stdout = new(), _stderr = new(), _status = new();

    public static async Task<CriStream> Connect(string url, CancellationToken ct)
    {
        var s = new CriStream();
        s._ws.Options.AddSubProtocol("v4.channel.k8s.io");
        s._ws.Options.SetRequestHeader("Origin", "http://127.0.0.1");
        await s._ws.ConnectAsync(new Uri(url.Replace("http://", "ws://")), ct);
        return s;
    }

    public Task SendStdin(string text, CancellationToken ct) => Send(Stdin, Encoding.UTF8.GetBytes(text), ct);

    /// <summary>A terminal size change, as kubectl sends when its window is resized.</summary>
    public Task SendResize(int width, int height, CancellationToken ct) =>
        Send(Resize, Encoding.UTF8.GetBytes($"{{\"Width\":{width},\"Height\":{height}}}"), ct);

    Task Send(byte channel, byte[] data, CancellationToken ct)
    {
        var frame = new byte[data.Length + 1];
        frame[0] = channel;
        data.CopyTo(frame, 1);
        return _ws.SendAsync(frame, WebSocketMessageType.Binary, endOfMessage: true, ct);
    }

    /// <summary>Reads until the server closes the stream (the process ended): stdout, stderr and the status JSON.</summary>
    public async Task<(string Stdout, string Stderr, string Status)> ReadToEnd(CancellationToken ct)
    {
        var buffer = new byte[64 * 1024];
        var message = new MemoryStream();
        while (true)
        {
            WebSocketReceiveResult r;
            try { r = await _ws.ReceiveAsync(buffer, ct); }
            catch (WebSocketException) when (_ws.State != WebSocketState.Open) { break; }
            if (r.MessageType == WebSocketMessageType.Close) break;
            message.Write(buffer, 0, r.Count);
            if (!r.EndOfMessage) continue;
            var bytes = message.ToArray();
            message.SetLength(0);
            if (bytes.Length == 0) continue;
            string text = Encoding.UTF8.GetString(bytes, 1, bytes.Length - 1);
            (bytes[0] switch { Stdout => _stdout, Stderr => _stderr, Error => _status, _ => new StringBuilder() }).Append(text);
        }
        return (_stdout.ToString(), _stderr.ToString(), _status.ToString());
    }

    public async ValueTask DisposeAsync()
    {
        if (_ws.State == WebSocketState.Open)
        {
            try { await _ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None); }
            catch (WebSocketException) { }
        }
        _ws.Dispose();
    }
}
