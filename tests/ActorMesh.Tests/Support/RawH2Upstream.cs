using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ActorMesh.Tests.Support;

/// <summary>A frame as a <see cref="RawH2Upstream"/> read it.</summary>
internal sealed record RawFrame(byte Type, byte Flags, int StreamId, byte[] Payload)
{
    public const byte Data = 0x0;
    public const byte Headers = 0x1;
    public const byte RstStream = 0x3;
    public const byte Settings = 0x4;
    public const byte Ping = 0x6;
    public const byte GoAway = 0x7;
    public const byte WindowUpdate = 0x8;

    public bool EndStream => (Flags & 0x1) != 0;

    public bool Ack => (Flags & 0x1) != 0;

    /// <summary>The error code of RST_STREAM, or GOAWAY's (after its last stream id).</summary>
    public uint ErrorCode => BinaryPrimitives.ReadUInt32BigEndian(Type == GoAway ? Payload.AsSpan(4) : Payload);
}

/// <summary>
/// Builds HTTP/2 frames byte by byte for the scripted server, independently of the proxy's codec: header blocks are
/// HPACK literals without indexing and raw strings, which every decoder must accept.
/// </summary>
internal static class Http2Wire
{
    public static byte[] Frame(byte type, byte flags, int streamId, ReadOnlySpan<byte> payload)
    {
        var frame = new byte[9 + payload.Length];
        frame[0] = (byte)(payload.Length >> 16);
        frame[1] = (byte)(payload.Length >> 8);
        frame[2] = (byte)payload.Length;
        frame[3] = type;
        frame[4] = flags;
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(5), streamId);
        payload.CopyTo(frame.AsSpan(9));
        return frame;
    }

    public static byte[] Settings(params (ushort Id, uint Value)[] settings)
    {
        var payload = new byte[settings.Length * 6];
        for (var i = 0; i < settings.Length; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(payload.AsSpan(i * 6), settings[i].Id);
            BinaryPrimitives.WriteUInt32BigEndian(payload.AsSpan(i * 6 + 2), settings[i].Value);
        }
        return Frame(RawFrame.Settings, 0, 0, payload);
    }

    public static byte[] SettingsAck() => Frame(RawFrame.Settings, 0x1, 0, []);

    /// <summary>A header block of literals without indexing (RFC 7541 §6.2.2), names and values as raw octets.</summary>
    public static byte[] Block(params (string Name, string Value)[] fields)
    {
        var block = new List<byte>();
        foreach (var (name, value) in fields)
        {
            block.Add(0x00);
            String(block, name);
            String(block, value);
        }
        return block.ToArray();
    }

    public static byte[] Headers(int streamId, bool endStream, params (string Name, string Value)[] fields) =>
        Frame(RawFrame.Headers, (byte)(0x4 | (endStream ? 0x1 : 0)), streamId, Block(fields));

    public static byte[] Data(int streamId, string text, bool endStream) =>
        Frame(RawFrame.Data, (byte)(endStream ? 0x1 : 0), streamId, Encoding.ASCII.GetBytes(text));

    public static byte[] RstStream(int streamId, uint code)
    {
        var payload = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(payload, code);
        return Frame(RawFrame.RstStream, 0, streamId, payload);
    }

    public static byte[] GoAway(int lastStreamId, uint code)
    {
        var payload = new byte[8];
        BinaryPrimitives.WriteInt32BigEndian(payload, lastStreamId);
        BinaryPrimitives.WriteUInt32BigEndian(payload.AsSpan(4), code);
        return Frame(RawFrame.GoAway, 0, 0, payload);
    }

    public static byte[] Ping(ulong opaque)
    {
        var payload = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(payload, opaque);
        return Frame(RawFrame.Ping, 0, 0, payload);
    }

    /// <summary>An access log of <c>%RESPONSE_CODE% %RESPONSE_FLAGS%</c> lines, as connection manager YAML.</summary>
    public static string AccessLog(string path) =>
        "access_log:\n- name: envoy.access_loggers.file\n  typed_config:\n"
        + "    \"@type\": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog\n"
        + $"    path: {path}\n"
        + "    log_format:\n      text_format_source:\n        inline_string: \"%RESPONSE_CODE% %RESPONSE_FLAGS%\\n\"";

    private static void String(List<byte> block, string value)
    {
        var bytes = Encoding.Latin1.GetBytes(value);
        // The 7-bit prefix integer of RFC 7541 §5.1, Huffman bit clear.
        if (bytes.Length < 127)
        {
            block.Add((byte)bytes.Length);
        }
        else
        {
            block.Add(127);
            var rest = bytes.Length - 127;
            while (rest >= 128)
            {
                block.Add((byte)((rest & 0x7f) | 0x80));
                rest >>= 7;
            }
            block.Add((byte)rest);
        }
        block.AddRange(bytes);
    }
}

/// <summary>One connection to a <see cref="RawH2Upstream"/>: the client preface checked, then frames in and out.</summary>
internal sealed class RawH2Connection
{
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(20);
    private readonly NetworkStream _stream;

    public RawH2Connection(NetworkStream stream, int index)
    {
        _stream = stream;
        Index = index;
    }

    /// <summary>0 for the first connection the server accepted, 1 for the next…</summary>
    public int Index { get; }

    /// <summary>Every frame read so far, in order.</summary>
    public List<RawFrame> Received { get; } = new();

    public Task SendAsync(params byte[][] frames) => _stream.WriteAsync(frames.SelectMany(f => f).ToArray()).AsTask();

    /// <summary>The next frame; null when the client closed the connection.</summary>
    public async Task<RawFrame?> ReadFrameAsync()
    {
        var header = new byte[9];
        if (!await ReadExactly(header))
        {
            return null;
        }
        var length = (header[0] << 16) | (header[1] << 8) | header[2];
        var payload = new byte[length];
        if (!await ReadExactly(payload))
        {
            return null;
        }
        var frame = new RawFrame(header[3], header[4], BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(5)) & 0x7fffffff, payload);
        Received.Add(frame);
        return frame;
    }

    /// <summary>Reads until a frame of <paramref name="type"/> (on any stream); null when the connection ended first.</summary>
    public async Task<RawFrame?> NextAsync(byte type, Func<RawFrame, bool>? also = null)
    {
        while (await ReadFrameAsync() is { } frame)
        {
            if (frame.Type == type && (also is null || also(frame)))
            {
                return frame;
            }
        }
        return null;
    }

    /// <summary>Sends the server preface (an empty SETTINGS) and reads the request's HEADERS: its stream id.</summary>
    public async Task<int> AcceptRequestAsync()
    {
        await SendAsync(Http2Wire.Settings());
        var headers = await NextAsync(RawFrame.Headers) ?? throw new IOException("no request arrived");
        return headers.StreamId;
    }

    /// <summary>Reads until the stream's request ended (END_STREAM on HEADERS or DATA).</summary>
    public async Task WaitForEndStreamAsync(int streamId)
    {
        if (Received.Any(f => f.StreamId == streamId && f.EndStream && f.Type is RawFrame.Headers or RawFrame.Data))
        {
            return;
        }
        await NextAsync(RawFrame.Data, f => f.StreamId == streamId && f.EndStream);
    }

    /// <summary>Waits (bounded) for the client to close the connection, reading and keeping what it still sends.</summary>
    public async Task<bool> ClosedByPeerAsync()
    {
        try
        {
            while (await ReadFrameAsync() is not null)
            {
            }
            return true;
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            return true;
        }
    }

    private async Task<bool> ReadExactly(byte[] buffer)
    {
        using var timeout = new CancellationTokenSource(ReadTimeout);
        var read = 0;
        try
        {
            while (read < buffer.Length)
            {
                var n = await _stream.ReadAsync(buffer.AsMemory(read), timeout.Token);
                if (n == 0)
                {
                    return false;
                }
                read += n;
            }
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }
}

/// <summary>
/// A scripted HTTP/2 server on 127.0.0.1 over a raw socket, for what no real server does on demand: GOAWAY at a
/// chosen moment, REFUSED_STREAM, malformed headers, bad HPACK, or bytes that are not HTTP/2 at all.
/// </summary>
internal sealed class RawH2Upstream : IAsyncDisposable
{
    private static readonly byte[] Preface = Encoding.ASCII.GetBytes("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");

    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Func<RawH2Connection, Task> _script;
    private readonly List<Task> _connections = new();
    private readonly Task _acceptLoop;
    private int _accepts;

    private RawH2Upstream(Func<RawH2Connection, Task> script)
    {
        _script = script;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _acceptLoop = AcceptLoop();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public int Accepts => Volatile.Read(ref _accepts);

    /// <summary>The scripts' failures (a missing preface included), so tests can assert there were none.</summary>
    public List<Exception> Errors { get; } = new();

    public static RawH2Upstream Start(Func<RawH2Connection, Task> script) => new(script);

    public ValueTask DisposeAsync() => new(LoopbackServer.StopAsync(_stop, _listener, _acceptLoop, _connections));

    private async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            var index = Interlocked.Increment(ref _accepts) - 1;
            var task = Serve(client, index);
            lock (_connections)
            {
                _connections.Add(task);
            }
        }
    }

    private async Task Serve(TcpClient client, int index)
    {
        using var _ = client;
        try
        {
            var stream = client.GetStream();
            var preface = new byte[Preface.Length];
            await stream.ReadExactlyAsync(preface).AsTask().WaitAsync(TimeSpan.FromSeconds(20));
            if (!preface.AsSpan().SequenceEqual(Preface))
            {
                throw new InvalidDataException("no HTTP/2 client preface");
            }
            await _script(new RawH2Connection(stream, index));
        }
        catch (Exception e)
        {
            lock (Errors)
            {
                Errors.Add(e);
            }
        }
    }
}
