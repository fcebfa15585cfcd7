using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ActorMesh.Tests.Support;

/// <summary>
/// One client TCP connection speaking raw bytes, reading responses one at a time (Content-Length or chunked), and
/// telling whether the server closed: every read is bounded by a timeout, so a test never hangs.
/// </summary>
internal sealed class PipelinedClient : IDisposable
{
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(5);

    private readonly TcpClient _client;
    private readonly NetworkStream _stream;
    private readonly byte[] _chunk = new byte[64 * 1024];
    private byte[] _pending = Array.Empty<byte>();

    private PipelinedClient(TcpClient client)
    {
        _client = client;
        _stream = client.GetStream();
    }

    public static async Task<PipelinedClient> Open(int port)
    {
        var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync(IPAddress.Loopback, port);
        return new PipelinedClient(client);
    }

    public Task Send(string raw) => _stream.WriteAsync(Encoding.Latin1.GetBytes(raw)).AsTask();

    /// <summary>Sends <paramref name="raw"/> as separate writes of <paramref name="size"/> bytes (no Nagle: separate segments).</summary>
    public async Task SendInPieces(string raw, int size)
    {
        var bytes = Encoding.Latin1.GetBytes(raw);
        for (var at = 0; at < bytes.Length; at += size)
        {
            await _stream.WriteAsync(bytes.AsMemory(at, Math.Min(size, bytes.Length - at)));
            await _stream.FlushAsync();
        }
    }

    /// <summary>The next response, or null when the connection ended (or stayed silent) before a whole one arrived.</summary>
    public async Task<RawResponse?> ReadResponse()
    {
        using var cts = new CancellationTokenSource(ReadTimeout);
        try
        {
            int headEnd;
            while ((headEnd = IndexOf(_pending, "\r\n\r\n"u8)) < 0)
            {
                if (!await Fill(cts.Token))
                {
                    return null;
                }
            }
            var head = Encoding.Latin1.GetString(_pending, 0, headEnd + 2);
            Take(headEnd + 4);
            var status = int.Parse(head.AsSpan(9, 3), CultureInfo.InvariantCulture);
            var body = new StringBuilder();
            var lengthAt = head.IndexOf("\r\ncontent-length: ", StringComparison.OrdinalIgnoreCase);
            if (lengthAt >= 0)
            {
                var valueStart = lengthAt + "\r\ncontent-length: ".Length;
                var length = int.Parse(head[valueStart..head.IndexOf("\r\n", valueStart, StringComparison.Ordinal)], CultureInfo.InvariantCulture);
                body.Append(await ReadExactly(length, cts.Token));
            }
            else if (head.Contains("\r\ntransfer-encoding: chunked\r\n", StringComparison.OrdinalIgnoreCase))
            {
                while (true)
                {
                    var sizeLine = await ReadLine(cts.Token);
                    var size = int.Parse(sizeLine, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                    if (size == 0)
                    {
                        await ReadLine(cts.Token);
                        break;
                    }
                    body.Append(await ReadExactly(size, cts.Token));
                    await ReadLine(cts.Token);
                }
            }
            return new RawResponse(status, head, body.ToString());
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or EndOfStreamException)
        {
            return null;
        }
    }

    /// <summary>
    /// Reads until the server closes (FIN or reset: true) or <paramref name="timeout"/> passes with the connection
    /// still open (false); <paramref name="rest"/> is whatever arrived meanwhile.
    /// </summary>
    public async Task<(bool Closed, string Received)> ReadToEnd(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? ReadTimeout);
        var rest = new StringBuilder(Encoding.Latin1.GetString(_pending));
        _pending = Array.Empty<byte>();
        try
        {
            while (true)
            {
                var n = await _stream.ReadAsync(_chunk, cts.Token);
                if (n == 0)
                {
                    return (true, rest.ToString());
                }
                rest.Append(Encoding.Latin1.GetString(_chunk, 0, n));
            }
        }
        catch (OperationCanceledException)
        {
            return (false, rest.ToString());
        }
        catch (IOException)
        {
            return (true, rest.ToString());
        }
    }

    /// <summary>Reads until <paramref name="text"/> has arrived; false when the connection ended or went quiet first.</summary>
    public async Task<bool> ReadUntil(string text)
    {
        using var cts = new CancellationTokenSource(ReadTimeout);
        var wanted = Encoding.Latin1.GetBytes(text);
        try
        {
            while (IndexOf(_pending, wanted) < 0)
            {
                if (!await Fill(cts.Token))
                {
                    return false;
                }
            }
            return true;
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            return false;
        }
    }

    public void Dispose() => _client.Dispose();

    private async Task<bool> Fill(CancellationToken ct)
    {
        var n = await _stream.ReadAsync(_chunk, ct);
        if (n == 0)
        {
            return false;
        }
        _pending = _pending.Concat(_chunk.Take(n)).ToArray();
        return true;
    }

    private void Take(int count) => _pending = _pending[count..];

    private async Task<string> ReadExactly(int count, CancellationToken ct)
    {
        while (_pending.Length < count)
        {
            if (!await Fill(ct))
            {
                throw new EndOfStreamException();
            }
        }
        var text = Encoding.Latin1.GetString(_pending, 0, count);
        Take(count);
        return text;
    }

    private async Task<string> ReadLine(CancellationToken ct)
    {
        int end;
        while ((end = IndexOf(_pending, "\r\n"u8)) < 0)
        {
            if (!await Fill(ct))
            {
                throw new EndOfStreamException();
            }
        }
        var line = Encoding.Latin1.GetString(_pending, 0, end);
        Take(end + 2);
        return line;
    }

    private static int IndexOf(byte[] data, ReadOnlySpan<byte> value) => data.AsSpan().IndexOf(value);
}
