using System.Net.Sockets;
using Akka.IO;
using Akka.Util;

namespace ActorMesh.Upstream;

/// <summary>
/// One keep-alive connection to an upstream host. It outlives any single downstream connection so that it can be
/// pooled, which is why it is not a stage of a downstream stream: it owns its socket directly, with the backpressure
/// of a stage (at most one read and one write outstanding, a read only when the lessee asks). This saves the second
/// materialized stream and Akka.IO's actor hops per request, which measured 60 % of the proxy's CPU.
/// Exactly one lessee uses it at a time; while it sits idle in the pool a read is kept outstanding so that a close
/// by the upstream evicts it at once. On a cluster with <c>http2_protocol_options</c> the socket speaks HTTP/2
/// through an <see cref="Http2UpstreamCodec"/>, and the lessee still reads and writes HTTP/1.1.
/// </summary>
public sealed class UpstreamConnection
{
    // One read takes at most this much, like akka.io.tcp.maximum-frame-size on the downstream side.
    private const int ReadBufferSize = 64 * 1024;
    private const int Leased = 0;
    private const int Idle = 1;
    private const int Closed = 2;
    private const int StateMask = 3;

    private readonly Socket _socket;
    private readonly UpstreamHost _host;
    private readonly byte[] _readBuffer = new byte[ReadBufferSize];
    private readonly Http2UpstreamCodec? _http2;
    private Task<Option<ByteString>>? _pendingRead;
    // Low two bits: Leased, Idle or Closed; the rest: which idle period this is.
    private int _state = Leased;

    private UpstreamConnection(UpstreamHost host)
    {
        _host = host;
        _socket = new Socket(host.Endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        Connected = ConnectAsync();
        if (host.Http2 is { } http2)
        {
            _http2 = new Http2UpstreamCodec(this, http2.Settings, http2.Stats, http2.CodecStats);
        }
    }

    /// <summary>Completes when the TCP handshake did; faults on connect failure or <c>connect_timeout</c>.</summary>
    public Task Connected { get; }

    public UpstreamHost Host => _host;

    /// <summary>Stopwatch timestamp of the current lease: the start of <c>upstream_rq_time</c>.</summary>
    internal long LeasedAt { get; set; }

    /// <summary>Stopwatch timestamp of when it last went idle, for the pool's <c>idle_timeout</c>.</summary>
    internal long IdleSince { get; private set; }

    /// <summary>Requests sent on this connection, for <c>max_requests_per_connection</c>.</summary>
    internal int Requests { get; set; }

    public bool IsClosed => (Volatile.Read(ref _state) & StateMask) == Closed;

    /// <summary>Whether the protocol lets the connection take another request (HTTP/2: no GOAWAY, stream closed).</summary>
    public bool IsReusable => _http2?.Reusable ?? true;

    public bool IsHttp2 => _http2 is not null;

    /// <summary>The host pool (one per routing priority) whose slot this connection holds.</summary>
    internal ConnectionPool Pool { get; private init; } = null!;

    internal static UpstreamConnection Open(ConnectionPool pool)
    {
        var connection = new UpstreamConnection(pool.Host) { Pool = pool };
        pool.Host.OnConnectionOpened(connection);
        return connection;
    }

    /// <summary>Sends all of <paramref name="bytes"/>; faults when the connection is gone.</summary>
    public Task WriteAsync(ByteString bytes) =>
        _http2?.WriteAsync(bytes) ?? (Connected.IsCompletedSuccessfully ? SendAsync(bytes) : SendAfterConnectAsync(bytes));

    /// <summary>The next bytes from the upstream; <c>None</c> when it closed. One read outstanding at a time.</summary>
    public Task<Option<ByteString>> ReadAsync()
    {
        if (_http2 is not null)
        {
            return _http2.ReadAsync();
        }
        var read = _pendingRead ?? ReceiveAsync();
        _pendingRead = null;
        return read;
    }

    /// <summary>Takes an idle connection for a new request; false when the upstream closed it in the meantime.</summary>
    internal bool TryLease()
    {
        var word = Volatile.Read(ref _state);
        return (word & StateMask) == Idle && Interlocked.CompareExchange(ref _state, (word & ~StateMask) | Leased, word) == word;
    }

    /// <summary>Parks the connection in its host's pool, watching for the upstream closing it.</summary>
    internal void MarkIdle()
    {
        IdleSince = System.Diagnostics.Stopwatch.GetTimestamp();
        if (_http2 is not null)
        {
            // The codec reads all the time: a GOAWAY or a close while idle evicts the connection (CloseIfIdle).
            Volatile.Write(ref _state, ((Volatile.Read(ref _state) >> 2) + 1 << 2) | Idle);
            return;
        }
        // A connection handed back unused still has its last idle period's read outstanding: that read watches on.
        var watch = _pendingRead ?? ReceiveAsync();
        _pendingRead = watch;
        // Each idle period has its own epoch: a watch from an earlier period, whose continuation may run late on
        // the thread pool, must not close the connection after it was leased and parked again.
        var idleWord = ((Volatile.Read(ref _state) >> 2) + 1 << 2) | Idle;
        Volatile.Write(ref _state, idleWord);
        watch.ContinueWith(
            static (_, state) =>
            {
                var (self, expected) = ((UpstreamConnection, int))state!;
                // Anything at all (bytes, a close, an error) while idle makes the connection unusable.
                if (Interlocked.CompareExchange(ref self._state, (expected & ~StateMask) | Closed, expected) == expected)
                {
                    self.Terminate(abort: true);
                }
            },
            (this, idleWord),
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    /// <summary>Closes an idle connection the upstream gave up on; a leased one is left to its lessee, who learns why.</summary>
    internal void CloseIfIdle()
    {
        var word = Volatile.Read(ref _state);
        if ((word & StateMask) == Idle && Interlocked.CompareExchange(ref _state, (word & ~StateMask) | Closed, word) == word)
        {
            Terminate(abort: false);
        }
    }

    /// <summary>The codec's receive: straight from the socket into its frame buffer.</summary>
    internal async Task<int> ReceiveRawAsync(Memory<byte> buffer)
    {
        if (!Connected.IsCompletedSuccessfully)
        {
            await Connected;
        }
        return await _socket.ReceiveAsync(buffer, SocketFlags.None);
    }

    /// <summary>The codec's send; one outstanding at a time.</summary>
    internal async Task SendRawAsync(byte[] bytes)
    {
        if (!Connected.IsCompletedSuccessfully)
        {
            await Connected;
        }
        await _socket.SendAsync(bytes.AsMemory(), SocketFlags.None);
    }

    /// <summary>Closes for good: gracefully after a complete exchange, by reset when anything is left unread.</summary>
    public void Close(bool abort)
    {
        while (true)
        {
            var word = Volatile.Read(ref _state);
            if ((word & StateMask) == Closed)
            {
                return;
            }
            if (Interlocked.CompareExchange(ref _state, (word & ~StateMask) | Closed, word) == word)
            {
                Terminate(abort);
                return;
            }
        }
    }

    private async Task ConnectAsync()
    {
        using var timeout = new CancellationTokenSource(_host.ConnectTimeout);
        var start = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            await _socket.ConnectAsync(_host.Endpoint, timeout.Token);
            _host.OnConnected(start);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            throw new SocketException((int)SocketError.TimedOut);
        }
    }

    private async Task SendAfterConnectAsync(ByteString bytes)
    {
        await Connected;
        await SendAsync(bytes);
    }

    private Task SendAsync(ByteString bytes)
    {
        // ByteString does not expose its segments publicly; one copy of a request head or body chunk is cheap next
        // to a socket call.
        var pending = _socket.SendAsync(bytes.ToArray().AsMemory(), SocketFlags.None);
        return pending.IsCompletedSuccessfully ? Task.CompletedTask : pending.AsTask();
    }

    private async Task<Option<ByteString>> ReceiveAsync()
    {
        if (!Connected.IsCompletedSuccessfully)
        {
            await Connected;
        }
        var n = await _socket.ReceiveAsync(_readBuffer.AsMemory(), SocketFlags.None);
        // The buffer is reused for the next read, so what was read is copied out (one read is outstanding at a time).
        return n == 0 ? Option<ByteString>.None : ByteString.CopyFrom(_readBuffer, 0, n);
    }

    private void Terminate(bool abort)
    {
        try
        {
            // HTTP/2 says what it abandons with RST_STREAM or GOAWAY, which a TCP reset could destroy unread.
            if (abort && _http2 is null)
            {
                // Linger 0: the upstream sees a reset, as Envoy resets a connection whose response it abandons.
                _socket.LingerState = new LingerOption(true, 0);
            }
            else if (_socket.Connected)
            {
                _socket.Shutdown(SocketShutdown.Both);
            }
        }
        catch (SocketException)
        {
            // Already reset by the peer: closing is all that is left.
        }
        catch (ObjectDisposedException)
        {
        }
        _socket.Dispose();
        Pool.OnConnectionClosed();
    }
}
