using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ActorMesh.Tests.Support;

/// <summary>
/// An interactive raw-socket client: send bytes, read until something arrives, see whether the proxy closed. For
/// exchanges that need a conversation (100-continue, upgrades, slow clients), where <see cref="RawHttp"/> is one shot.
/// </summary>
internal sealed class RawConnection : IDisposable
{
    private readonly TcpClient _client;
    private readonly NetworkStream _stream;
    private readonly StringBuilder _received = new();
    private readonly byte[] _buffer = new byte[16 * 1024];

    private RawConnection(TcpClient client)
    {
        _client = client;
        _stream = client.GetStream();
    }

    /// <summary>Everything received so far.</summary>
    public string Received => _received.ToString();

    /// <summary>True once the peer has closed (or reset) its side.</summary>
    public bool Closed { get; private set; }

    public static async Task<RawConnection> Open(int port)
    {
        var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync(IPAddress.Loopback, port);
        return new RawConnection(client);
    }

    public Task Send(string text) => _stream.WriteAsync(Encoding.Latin1.GetBytes(text)).AsTask();

    public void ShutdownSend() => _client.Client.Shutdown(SocketShutdown.Send);

    /// <summary>Closes with a TCP reset (SO_LINGER 0), as a client that gives up does.</summary>
    public void Reset()
    {
        _client.Client.Close(0);
    }

    /// <summary>Reads until <paramref name="marker"/> has arrived (true) or the peer closed or time ran out (false).</summary>
    public async Task<bool> ReadUntil(string marker, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (!Received.Contains(marker, StringComparison.Ordinal))
        {
            if (Closed || !await ReadOnce(cts.Token))
            {
                return Received.Contains(marker, StringComparison.Ordinal);
            }
        }
        return true;
    }

    /// <summary>Reads until the peer closes (true) or <paramref name="timeout"/> passes with it open (false).</summary>
    public async Task<bool> ReadToClose(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (!Closed)
        {
            if (!await ReadOnce(cts.Token))
            {
                break;
            }
        }
        return Closed;
    }

    private async Task<bool> ReadOnce(CancellationToken ct)
    {
        try
        {
            var n = await _stream.ReadAsync(_buffer, ct);
            if (n == 0)
            {
                Closed = true;
                return false;
            }
            _received.Append(Encoding.Latin1.GetString(_buffer, 0, n));
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (IOException)
        {
            Closed = true;
            return false;
        }
    }

    public void Dispose() => _client.Dispose();
}
