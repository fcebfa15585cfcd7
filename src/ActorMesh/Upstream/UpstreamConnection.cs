using System.Collections.Immutable;
using Akka.IO;
using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.Util;
using Tcp = Akka.Streams.Dsl.Tcp;
using TcpExt = Akka.Streams.Dsl.TcpExt;

namespace ActorMesh.Upstream;

/// <summary>
/// One keep-alive connection to an upstream host: its own small stream (queue in, Akka.Streams TCP, queue out) that
/// outlives any single downstream connection, so it can be pooled. Exactly one lessee uses it at a time; while it
/// sits idle in the pool a read is kept outstanding so that a close by the upstream evicts it at once.
/// </summary>
public sealed class UpstreamConnection
{
    private const int Leased = 0;
    private const int Idle = 1;
    private const int Closed = 2;
    private const int StateMask = 3;

    private readonly ISourceQueueWithComplete<ByteString> _writer;
    private readonly ISinkQueue<ByteString> _reader;
    private readonly UniqueKillSwitch _killSwitch;
    private readonly UpstreamHost _host;
    private Task<Option<ByteString>>? _pendingRead;
    // Low two bits: Leased, Idle or Closed; the rest: which idle period this is.
    private int _state = Leased;

    private UpstreamConnection(
        UpstreamHost host,
        ISourceQueueWithComplete<ByteString> writer,
        UniqueKillSwitch killSwitch,
        Task<Tcp.OutgoingConnection> connected,
        ISinkQueue<ByteString> reader)
    {
        _host = host;
        _writer = writer;
        _killSwitch = killSwitch;
        _reader = reader;
        Connected = connected;
    }

    /// <summary>Completes when the TCP handshake did; faults on connect failure or <c>connect_timeout</c>.</summary>
    public Task<Tcp.OutgoingConnection> Connected { get; }

    public UpstreamHost Host => _host;

    public bool IsClosed => (Volatile.Read(ref _state) & StateMask) == Closed;

    internal static UpstreamConnection Open(UpstreamHost host, UpstreamTransport transport)
    {
        var ((writer, killSwitch), connected, reader) = Source.Queue<ByteString>(1, OverflowStrategy.Backpressure)
            .ViaMaterialized(KillSwitches.Single<ByteString>(), Keep.Both)
            .ViaMaterialized(
                transport.Tcp.OutgoingConnection(host.Endpoint, null, transport.SocketOptions, true, host.ConnectTimeout),
                Keep.Both)
            .ToMaterialized(Sink.Queue<ByteString>(), (left, right) => (left.Item1, left.Item2, right))
            .Run(transport.Materializer);
        var connection = new UpstreamConnection(host, writer, killSwitch, connected, reader);
        host.OnConnectionOpened(connection);
        return connection;
    }

    public Task<IQueueOfferResult> WriteAsync(ByteString bytes) => _writer.OfferAsync(bytes);

    /// <summary>The next bytes from the upstream; <c>None</c> when it closed. One read outstanding at a time.</summary>
    public Task<Option<ByteString>> ReadAsync()
    {
        var read = _pendingRead ?? _reader.PullAsync();
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
        var watch = _reader.PullAsync();
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

    /// <summary>Closes for good: gracefully after a complete exchange, by abort when anything is left unread.</summary>
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

    private void Terminate(bool abort)
    {
        if (abort)
        {
            _killSwitch.Abort(new ConnectionClosedException());
        }
        else
        {
            _killSwitch.Shutdown();
        }
        _host.OnConnectionClosed();
    }

    private sealed class ConnectionClosedException : Exception
    {
        public ConnectionClosedException() : base("upstream connection closed by the proxy") { }
    }
}

/// <summary>What every upstream connection of a node is opened with.</summary>
public sealed record UpstreamTransport(TcpExt Tcp, IMaterializer Materializer, IImmutableList<Inet.SocketOption>? SocketOptions);
