using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ActorMesh.Tests.Support;

/// <summary>One request as it arrived at a <see cref="RecordingUpstream"/>, byte for byte.</summary>
internal sealed record RecordedRequest(int Index, int Connection, byte[] Raw)
{
    public string Text => Encoding.Latin1.GetString(Raw);

    /// <summary>The raw text with the proxy's random <c>x-request-id</c> value replaced by <c>&lt;id&gt;</c>.</summary>
    public string Normalized
    {
        get
        {
            var text = Text;
            const string name = "\r\nx-request-id: ";
            var at = text.IndexOf(name, StringComparison.Ordinal);
            if (at < 0)
            {
                return text;
            }
            var valueStart = at + name.Length;
            var valueEnd = text.IndexOf("\r\n", valueStart, StringComparison.Ordinal);
            return text[..valueStart] + "<id>" + text[valueEnd..];
        }
    }
}

/// <summary>What a <see cref="RecordingUpstream"/> handler can do with one request: answer, close or reset.</summary>
internal sealed class UpstreamExchange
{
    private readonly Socket _socket;

    public UpstreamExchange(Socket socket, RecordedRequest request)
    {
        _socket = socket;
        Request = request;
    }

    public RecordedRequest Request { get; }

    public async Task Send(string raw) => await _socket.SendAsync(Encoding.Latin1.GetBytes(raw), SocketFlags.None);

    /// <summary>Sends FIN: a clean close, as opposed to <see cref="Reset"/>.</summary>
    public void Close() => _socket.Shutdown(SocketShutdown.Send);

    /// <summary>Closes with RST instead of FIN.</summary>
    public void Reset()
    {
        _socket.LingerState = new LingerOption(true, 0);
        _socket.Close();
    }
}

/// <summary>
/// A raw-socket upstream on 127.0.0.1 that keeps the exact bytes of every request it receives (framed by
/// Content-Length or chunked, as the proxy forwards them) and every byte at all, complete request or not, so tests
/// can assert precisely what reached it, or that nothing did.
/// </summary>
internal sealed class RecordingUpstream : IAsyncDisposable
{
    public const string DefaultResponse = "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok";

    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Func<UpstreamExchange, Task> _handler;
    private readonly List<RecordedRequest> _requests = new();
    private readonly List<Task> _connections = new();
    private readonly Task _acceptLoop;
    private int _accepts;
    private int _closedConnections;
    private long _bytes;

    private RecordingUpstream(Func<UpstreamExchange, Task> handler)
    {
        _handler = handler;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start(128);
        _acceptLoop = AcceptLoop();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public int Accepts => Volatile.Read(ref _accepts);

    /// <summary>Connections the proxy closed or reset (their read side ended).</summary>
    public int ClosedConnections => Volatile.Read(ref _closedConnections);

    /// <summary>Every byte received on every connection, including requests that never completed.</summary>
    public long BytesReceived => Interlocked.Read(ref _bytes);

    public IReadOnlyList<RecordedRequest> Requests
    {
        get
        {
            lock (_requests)
            {
                return _requests.ToArray();
            }
        }
    }

    /// <summary>Answers every request with 200 <c>ok</c>.</summary>
    public static RecordingUpstream Start() => new(e => e.Send(DefaultResponse));

    public static RecordingUpstream Start(Func<UpstreamExchange, Task> handler) => new(handler);

    public ValueTask DisposeAsync() => new(LoopbackServer.StopAsync(_stop, _listener, _acceptLoop, _connections));

    private async Task AcceptLoop()
    {
        var connection = 0;
        while (!_stop.IsCancellationRequested)
        {
            var socket = await _listener.AcceptSocketAsync(_stop.Token);
            Interlocked.Increment(ref _accepts);
            var task = Serve(socket, connection++);
            lock (_connections)
            {
                _connections.Add(task);
            }
        }
    }

    private async Task Serve(Socket socket, int connection)
    {
        var buffer = new MemoryStream();
        var chunk = new byte[64 * 1024];
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var n = await socket.ReceiveAsync(chunk, SocketFlags.None, _stop.Token);
                if (n == 0)
                {
                    return;
                }
                Interlocked.Add(ref _bytes, n);
                buffer.Write(chunk, 0, n);
                int length;
                while ((length = RequestLength(buffer.GetBuffer().AsSpan(0, (int)buffer.Length))) > 0)
                {
                    var all = buffer.ToArray();
                    RecordedRequest request;
                    lock (_requests)
                    {
                        request = new RecordedRequest(_requests.Count, connection, all[..length]);
                        _requests.Add(request);
                    }
                    buffer.SetLength(0);
                    buffer.Write(all, length, all.Length - length);
                    await _handler(new UpstreamExchange(socket, request));
                }
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Reset by the proxy, or by the handler itself.
        }
        finally
        {
            Interlocked.Increment(ref _closedConnections);
            socket.Dispose();
        }
    }

    /// <summary>The length of the first complete request in <paramref name="data"/>, or 0 while it is incomplete.</summary>
    private static int RequestLength(ReadOnlySpan<byte> data)
    {
        var headEnd = data.IndexOf("\r\n\r\n"u8);
        if (headEnd < 0)
        {
            return 0;
        }
        var head = Encoding.Latin1.GetString(data[..headEnd]);
        var at = headEnd + 4;
        var chunked = false;
        long contentLength = 0;
        foreach (var line in head.Split("\r\n").Skip(1))
        {
            var colon = line.IndexOf(':');
            var name = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            if (name.Equals("transfer-encoding", StringComparison.OrdinalIgnoreCase))
            {
                chunked = value.Equals("chunked", StringComparison.OrdinalIgnoreCase);
            }
            else if (name.Equals("content-length", StringComparison.OrdinalIgnoreCase))
            {
                contentLength = long.Parse(value, CultureInfo.InvariantCulture);
            }
        }
        if (!chunked)
        {
            return data.Length - at >= contentLength ? at + (int)contentLength : 0;
        }
        while (true)
        {
            var lineEnd = data[at..].IndexOf("\r\n"u8);
            if (lineEnd < 0)
            {
                return 0;
            }
            var sizeText = Encoding.Latin1.GetString(data.Slice(at, lineEnd)).Split(';')[0];
            var size = int.Parse(sizeText, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            at += lineEnd + 2;
            if (size == 0)
            {
                // Trailer lines, then the empty line.
                while (true)
                {
                    var trailerEnd = data[at..].IndexOf("\r\n"u8);
                    if (trailerEnd < 0)
                    {
                        return 0;
                    }
                    at += trailerEnd + 2;
                    if (trailerEnd == 0)
                    {
                        return at;
                    }
                }
            }
            if (data.Length < at + size + 2)
            {
                return 0;
            }
            at += size + 2;
        }
    }
}
