using System.Net.Sockets;
using System.Text;
using ActorMesh.Upstream;
using Akka.Actor;
using Akka.Event;

namespace ActorMesh.Stats.Sinks;

/// <summary>
/// Envoy's statsd sink with <c>tcp_cluster_name</c> (<c>TcpStatsdSink</c>): full stat names, one <c>\n</c>-terminated
/// line per stat, over one connection to a host of the cluster, opened on the first flush and again on the flush after
/// it closes. Writes never block the mailbox: data waits in a bounded buffer while the connection is slow, and past
/// Envoy's 16 MiB the connection is closed, the data dropped and <c>statsd.cx_overflow</c> counted.
/// </summary>
internal sealed class TcpStatsdSinkActor : ReceiveActor
{
    /// <summary>Envoy's <c>MAX_BUFFERED_STATS_BYTES</c>.</summary>
    internal const long MaxBufferedStatsBytes = 16 * 1024 * 1024;

    /// <summary>The scope of the sink's own stats, as Envoy names it at the root.</summary>
    internal const string ScopePrefix = "statsd.";

    private readonly string _clusterName;
    private readonly Func<string, UpstreamCluster?> _findCluster;
    private readonly StatsdFormat _format;
    private readonly StatsStore _store;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly List<byte[]> _pending = [];
    private long _pendingBytes;
    private long _inFlightBytes;
    private Counter _cxOverflow = null!;
    private Socket? _socket;
    private ClusterStats? _connectionStats;
    private bool _established;

    public TcpStatsdSinkActor(string clusterName, Func<string, UpstreamCluster?> findCluster, string prefix, StatsStore store)
    {
        _clusterName = clusterName;
        _findCluster = findCluster;
        // Envoy's TCP sink writes full names and no tags.
        _format = new StatsdFormat(prefix, UseTags: false);
        _store = store;
        Disconnected();
    }

    /// <param name="findCluster">Finds the cluster in the version being served; asked at each connect, so versions may change.</param>
    public static Props Props(string clusterName, Func<string, UpstreamCluster?> findCluster, string prefix, StatsStore store) =>
        Akka.Actor.Props.Create(() => new TcpStatsdSinkActor(clusterName, findCluster, prefix, store));

    protected override void PreStart()
    {
        _cxOverflow = _store.GetOrCreate(ScopePrefix).Counter("cx_overflow");
        Context.ActorOf(StatsScopeActor.Props(_store, ScopePrefix), "stats-statsd");
    }

    protected override void PostStop() => CloseConnection();

    private void Disconnected()
    {
        Receive<StatsSinkProtocol.Flush>(flush =>
        {
            if (Enqueue(flush.Snapshot))
            {
                Connect();
            }
        });
        Receive<StatsSinkProtocol.ScopeRemoved>(_ => { });
        Receive<SocketEvent>(_ => { });
    }

    private void Connecting()
    {
        Receive<StatsSinkProtocol.Flush>(flush => Enqueue(flush.Snapshot));
        Receive<StatsSinkProtocol.ScopeRemoved>(_ => { });
        Receive<ConnectionEstablished>(m => m.Socket == _socket, _ =>
        {
            _established = true;
            _connectionStats?.UpstreamCxActive.Inc();
            ReadUntilClosed(_socket!).PipeTo(Self, success: () => new ConnectionClosed(_socket!));
            Become(Connected);
            WriteNext();
        });
        Receive<ConnectFailed>(m => m.Socket == _socket, m =>
        {
            _log.Debug("statsd cluster {0}: connect failed: {1}", _clusterName, m.Reason);
            _connectionStats?.UpstreamCxConnectFail.Inc();
            CloseConnection();
            Become(Disconnected);
        });
        Receive<SocketEvent>(_ => { });
    }

    private void Connected()
    {
        Receive<StatsSinkProtocol.Flush>(flush =>
        {
            if (Enqueue(flush.Snapshot))
            {
                WriteNext();
            }
        });
        Receive<StatsSinkProtocol.ScopeRemoved>(_ => { });
        Receive<Written>(m => m.Socket == _socket, _ =>
        {
            _inFlightBytes = 0;
            WriteNext();
        });
        Receive<ConnectionClosed>(m => m.Socket == _socket, _ =>
        {
            CloseConnection();
            Become(Disconnected);
        });
        Receive<SocketEvent>(_ => { });
    }

    /// <summary>Buffers one flush; false when there was nothing to send or it was dropped for overflow.</summary>
    private bool Enqueue(MetricsSnapshot snapshot)
    {
        var text = new StringBuilder();
        foreach (var line in _format.Lines(snapshot))
        {
            text.Append(line).Append('\n');
        }
        if (text.Length == 0)
        {
            return false;
        }
        if (_pendingBytes + _inFlightBytes > MaxBufferedStatsBytes)
        {
            // Envoy's guard against a backed-up stats connection: close it (dropping what it holds) and count it.
            _cxOverflow.Inc();
            CloseConnection();
            Become(Disconnected);
            return false;
        }
        var bytes = Encoding.UTF8.GetBytes(text.ToString());
        _pending.Add(bytes);
        _pendingBytes += bytes.Length;
        return true;
    }

    private void Connect()
    {
        var cluster = _findCluster(_clusterName);
        var host = cluster?.ChooseHost(LoadBalancerContext.None);
        if (cluster is null || host is null)
        {
            // Like Envoy when the cluster gives no connection: this flush is dropped, the next one tries again.
            DropPending();
            return;
        }
        var socket = new Socket(host.Endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        _socket = socket;
        _connectionStats = cluster.Stats;
        _connectionStats.UpstreamCxTotal.Inc();
        var timeout = new CancellationTokenSource(host.ConnectTimeout);
        socket.ConnectAsync(host.Endpoint, timeout.Token).AsTask()
            .ContinueWith(t =>
            {
                timeout.Dispose();
                return t.IsCompletedSuccessfully
                    ? new ConnectionEstablished(socket)
                    : (object)new ConnectFailed(socket, t.Exception?.GetBaseException().Message ?? "connect timeout");
            }, TaskScheduler.Default)
            .PipeTo(Self);
        Become(Connecting);
    }

    private void WriteNext()
    {
        if (_inFlightBytes > 0 || _pending.Count == 0 || _socket is not { } socket)
        {
            return;
        }
        var data = _pending.Count == 1 ? _pending[0] : _pending.SelectMany(b => b).ToArray();
        _pending.Clear();
        _pendingBytes = 0;
        _inFlightBytes = data.Length;
        // A failed send shows up as the connection closing, which the read loop reports.
        socket.SendAsync(data, SocketFlags.None).PipeTo(Self,
            success: _ => new Written(socket),
            failure: _ => new ConnectionClosed(socket));
    }

    private static async Task ReadUntilClosed(Socket socket)
    {
        var buffer = new byte[256];
        try
        {
            while (await socket.ReceiveAsync(buffer, SocketFlags.None) > 0)
            {
                // A statsd server says nothing; anything it sends is ignored.
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Reset or closed by us: either way the connection is over.
        }
    }

    /// <summary>Envoy's close with NoFlush: whatever the connection still held is dropped.</summary>
    private void CloseConnection()
    {
        if (_socket is null)
        {
            return;
        }
        if (_established)
        {
            _connectionStats?.UpstreamCxActive.Dec();
            _connectionStats?.UpstreamCxDestroy.Inc();
        }
        _socket.Dispose();
        _socket = null;
        _established = false;
        _inFlightBytes = 0;
        DropPending();
    }

    private void DropPending()
    {
        _pending.Clear();
        _pendingBytes = 0;
    }

    /// <summary>What a socket task reports; one about a connection already replaced is ignored.</summary>
    private abstract record SocketEvent(Socket Socket);

    private sealed record ConnectionEstablished(Socket Socket) : SocketEvent(Socket);

    private sealed record ConnectFailed(Socket Socket, string Reason) : SocketEvent(Socket);

    private sealed record Written(Socket Socket) : SocketEvent(Socket);

    private sealed record ConnectionClosed(Socket Socket) : SocketEvent(Socket);
}
