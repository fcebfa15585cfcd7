using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ActorMesh.Tests.Support;

/// <summary>A request as a test upstream received it.</summary>
internal sealed record UpstreamRequest(string Method, string Target, string Version, IReadOnlyList<KeyValuePair<string, string>> Headers, byte[] Body)
{
    public string? Header(string name) => Headers.FirstOrDefault(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;
}

/// <summary>
/// A real HTTP/1.1 server on 127.0.0.1 built on a raw socket, so tests control every byte of the response (chunked,
/// malformed, slow) and can count accepted connections.
/// </summary>
internal sealed class TestUpstream : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Func<UpstreamRequest, Stream, Task> _handler;
    private readonly List<Task> _connections = new();
    private readonly Task _acceptLoop;
    private int _accepts;
    private int _requests;

    private TestUpstream(Func<UpstreamRequest, Stream, Task> handler, int port = 0)
    {
        _handler = handler;
        _listener = new TcpListener(IPAddress.Loopback, port);
        _listener.Start(512);
        _acceptLoop = AcceptLoop();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;
    public int Accepts => Volatile.Read(ref _accepts);
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Completes the first time a request arrives (for tests that act while one is in flight).</summary>
    public TaskCompletionSource FirstRequest { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static TestUpstream Start(Func<UpstreamRequest, Stream, Task> handler) => new(handler);

    /// <summary>On a fixed port, for configs that name one (the seed's 127.0.0.1:8080).</summary>
    public static TestUpstream StartOn(int port, Func<UpstreamRequest, Stream, Task> handler) => new(handler, port);

    /// <summary>An upstream that answers every request with 200 and <paramref name="body"/>.</summary>
    public static TestUpstream Answering(string body) => Start((_, s) => WriteResponse(s, 200, body));

    public static async Task WriteResponse(Stream stream, int status, string body, params string[] extraHeaders)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var head = new StringBuilder($"HTTP/1.1 {status} X\r\ncontent-length: {bytes.Length}\r\n");
        foreach (var h in extraHeaders)
        {
            head.Append(h).Append("\r\n");
        }
        head.Append("\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()).Concat(bytes).ToArray());
    }

    public static Task WriteRaw(Stream stream, string raw) => stream.WriteAsync(Encoding.ASCII.GetBytes(raw)).AsTask();

    public ValueTask DisposeAsync() => new(LoopbackServer.StopAsync(_stop, _listener, _acceptLoop, _connections));

    private async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            Interlocked.Increment(ref _accepts);
            var task = Serve(client);
            lock (_connections)
            {
                _connections.Add(task);
            }
        }
    }

    private async Task Serve(TcpClient client)
    {
        using var _ = client;
        var stream = client.GetStream();
        var reader = new LineReader(stream);
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var request = await ReadRequest(reader, _stop.Token);
                if (request is null)
                {
                    return;
                }
                Interlocked.Increment(ref _requests);
                FirstRequest.TrySetResult();
                await _handler(request, stream);
                if (string.Equals(request.Header("connection"), "close", StringComparison.OrdinalIgnoreCase))
                {
                    return;
                }
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // The proxy closed or reset the connection; that is what some tests are about.
        }
    }

    private static async Task<UpstreamRequest?> ReadRequest(LineReader reader, CancellationToken ct)
    {
        var line = await reader.ReadLine(ct);
        if (line is null)
        {
            return null;
        }
        var parts = line.Split(' ');
        var headers = new List<KeyValuePair<string, string>>();
        while (true)
        {
            var h = await reader.ReadLine(ct) ?? throw new IOException("eof in headers");
            if (h.Length == 0)
            {
                break;
            }
            var colon = h.IndexOf(':');
            headers.Add(KeyValuePair.Create(h[..colon], h[(colon + 1)..].Trim()));
        }
        var request = new UpstreamRequest(parts[0], parts[1], parts[2], headers, Array.Empty<byte>());
        var body = new MemoryStream();
        if (request.Header("transfer-encoding") is "chunked")
        {
            while (true)
            {
                var size = int.Parse((await reader.ReadLine(ct))!.Split(';')[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                if (size == 0)
                {
                    while ((await reader.ReadLine(ct))!.Length > 0)
                    {
                    }
                    break;
                }
                body.Write(await reader.ReadExactly(size, ct));
                await reader.ReadLine(ct);
            }
        }
        else if (request.Header("content-length") is { } cl)
        {
            body.Write(await reader.ReadExactly(int.Parse(cl, CultureInfo.InvariantCulture), ct));
        }
        return request with { Body = body.ToArray() };
    }

    /// <summary>Just enough buffered reading for CRLF lines and fixed-size bodies.</summary>
    private sealed class LineReader
    {
        private readonly Stream _stream;
        private readonly byte[] _buffer = new byte[64 * 1024];
        private int _start;
        private int _end;

        public LineReader(Stream stream) => _stream = stream;

        public async Task<string?> ReadLine(CancellationToken ct)
        {
            var line = new List<byte>();
            while (true)
            {
                if (_start == _end && !await Fill(ct))
                {
                    return line.Count == 0 ? null : throw new IOException("eof mid-line");
                }
                var b = _buffer[_start++];
                if (b == '\n')
                {
                    return Encoding.Latin1.GetString(line.ToArray()).TrimEnd('\r');
                }
                line.Add(b);
            }
        }

        public async Task<byte[]> ReadExactly(int count, CancellationToken ct)
        {
            var result = new byte[count];
            var got = 0;
            while (got < count)
            {
                if (_start == _end && !await Fill(ct))
                {
                    throw new IOException("eof in body");
                }
                var n = Math.Min(count - got, _end - _start);
                Array.Copy(_buffer, _start, result, got, n);
                _start += n;
                got += n;
            }
            return result;
        }

        private async Task<bool> Fill(CancellationToken ct)
        {
            _start = 0;
            _end = await _stream.ReadAsync(_buffer, ct);
            return _end > 0;
        }
    }
}
