using System.Collections.Immutable;
using System.Net;
using ActorMesh.Config;
using ActorMesh.Stats;
using Akka;
using Akka.Actor;
using Akka.Event;
using Akka.IO;
using Akka.Streams;
using Akka.Streams.Dsl;
using Tcp = Akka.Streams.Dsl.Tcp;

namespace ActorMesh.Listeners;

public static class ListenerProtocol
{
    public sealed record Bound(string Name, EndPoint LocalAddress);

    public sealed record BindFailed(string Name, string Reason);

    /// <summary>
    /// Stop serving new connections (each is closed at once); answered with <see cref="Unbound"/>. The socket itself is
    /// released after the drain, because Akka.IO stops a listener's accepted connections along with it.
    /// </summary>
    public sealed record Unbind
    {
        public static readonly Unbind Instance = new();
    }

    public sealed record Unbound(string Name);

    /// <summary>
    /// Ask every open connection to finish its request and close; once none is open the socket is released and the
    /// listener answers <see cref="Drained"/>.
    /// </summary>
    public sealed record Drain
    {
        public static readonly Drain Instance = new();

        /// <summary>
        /// How long an idle keep-alive connection stays open so that a request already on its way is answered (with
        /// <c>connection: close</c>) instead of meeting a closed socket; zero closes idle connections at once. A
        /// listener removed by a config version drains with its connection manager's <c>drain_timeout</c>.
        /// </summary>
        public TimeSpan IdleGrace { get; init; }
    }

    public sealed record Drained(string Name);

    /// <summary>
    /// Connections accepted from now on run <paramref name="Pipeline"/> (a new config version's connection manager).
    /// Open ones keep the pipeline they started with: a request in flight finishes on it, and its response (or the
    /// next one on an idle keep-alive connection) carries <c>connection: close</c>, so the client's next request
    /// comes on a new connection and the new version, as Envoy drains the connections of a modified listener. An idle
    /// connection is never closed for it, so a client reusing one at that moment is answered, not reset.
    /// Answered with <see cref="PipelineUpdated"/>.
    /// </summary>
    public sealed record UpdatePipeline(ConnectionPipeline? Pipeline);

    public sealed record PipelineUpdated(string Name);

    internal sealed record Accepted(AcceptedConnection Connection);

    internal sealed record BindResult(ListenerBinding? Binding, string? Error);
}

/// <summary>
/// Envoy's Listener: binds its address with Akka.Streams TCP and gives each accepted connection a
/// <see cref="ConnectionActor"/> running the listener's pipeline. A listener with no filters closes every connection.
/// </summary>
public sealed class ListenerActor : ReceiveActor
{
    private readonly string _name;
    private readonly SocketAddressConfig _address;
    private ConnectionPipeline? _pipeline;
    private readonly ListenerSettings _settings;
    private readonly ListenerStats _stats;
    private readonly IActorRef _reportTo;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly IMaterializer _materializer;
    private ListenerBinding? _binding;
    private bool _accepting = true;
    private readonly List<IActorRef> _drainWaiters = new();

    public ListenerActor(
        string name,
        SocketAddressConfig address,
        ConnectionPipeline? pipeline,
        ListenerSettings settings,
        StatsStore store,
        IActorRef reportTo)
    {
        _name = name;
        _address = address;
        _pipeline = pipeline;
        _settings = settings;
        _reportTo = reportTo;
        _materializer = Context.Materializer(DataPathSettings(Context.System));
        var prefix = ScopePrefix(address, settings.StatsName);
        _stats = new ListenerStats(store.GetOrCreate(prefix));
        Context.ActorOf(StatsScopeActor.Props(store, prefix), "stats");

        Receive<ListenerProtocol.BindResult>(OnBindResult);
        Receive<ListenerProtocol.Accepted>(OnAccepted);
        Receive<Terminated>(_ => CheckDrained());
        Receive<ListenerProtocol.Unbind>(_ =>
        {
            _accepting = false;
            Sender.Tell(new ListenerProtocol.Unbound(_name));
        });
        Receive<ListenerProtocol.Drain>(drain =>
        {
            _accepting = false;
            _drainWaiters.Add(Sender);
            var connectionDrain = new ConnectionProtocol.Drain { IdleGrace = drain.IdleGrace };
            foreach (var child in Context.GetChildren().Where(c => c.Path.Name.StartsWith("cx-", StringComparison.Ordinal)))
            {
                child.Tell(connectionDrain);
            }
            CheckDrained();
        });
        Receive<ListenerProtocol.UpdatePipeline>(update =>
        {
            // One message, so a connection is accepted either wholly before the swap or wholly after it.
            _pipeline = update.Pipeline;
            foreach (var child in Context.GetChildren().Where(c => c.Path.Name.StartsWith("cx-", StringComparison.Ordinal)))
            {
                child.Tell(ConnectionProtocol.Drain.OnNextResponse);
            }
            Sender.Tell(new ListenerProtocol.PipelineUpdated(_name));
        });
    }

    public static Props Props(
        string name,
        SocketAddressConfig address,
        ConnectionPipeline? pipeline,
        ListenerSettings settings,
        StatsStore store,
        IActorRef reportTo) =>
        Akka.Actor.Props.Create(() => new ListenerActor(name, address, pipeline, settings, store, reportTo));

    /// <summary>
    /// Connections run on HOCON <c>actormesh.listener.dispatcher</c> (the inline data-path dispatcher, see
    /// <see cref="InlineExecutorConfigurator"/>); without one, on the default dispatcher.
    /// </summary>
    private static ActorMaterializerSettings DataPathSettings(ActorSystem system)
    {
        var settings = ActorMaterializerSettings.Create(system);
        var dispatcher = system.Settings.Config.GetString("actormesh.listener.dispatcher", string.Empty);
        return dispatcher.Length > 0 && system.Dispatchers.HasDispatcher(dispatcher) ? settings.WithDispatcher(dispatcher) : settings;
    }

    /// <summary>Envoy names a listener's stats by its address: <c>listener.0.0.0.0_80.</c>; the admin's are <c>listener.admin.</c>.</summary>
    public static string ScopePrefix(SocketAddressConfig address, string? statsName) =>
        statsName is not null ? $"listener.{statsName}." : $"listener.{address.Address}_{address.Port}.";

    private int OpenConnections => Context.GetChildren().Count(c => c.Path.Name.StartsWith("cx-", StringComparison.Ordinal));

    protected override void PreStart()
    {
        var self = Self;
        var endpoint = new IPEndPoint(IPAddress.Parse(_address.Address), _address.Port);
        ListenerSocket.BindAsync(Context.System, _materializer, endpoint, _settings, t => self.Tell(new ListenerProtocol.Accepted(t)))
            .ContinueWith(t => t.IsCompletedSuccessfully
                ? new ListenerProtocol.BindResult(t.Result, null)
                : new ListenerProtocol.BindResult(null, t.Exception?.GetBaseException().Message ?? "bind cancelled"))
            .PipeTo(self);
    }

    protected override void PostStop() => _binding?.Unbind();

    private void OnBindResult(ListenerProtocol.BindResult result)
    {
        if (result.Binding is null)
        {
            _log.Error("listener {0}: cannot bind {1}: {2}", _name, _address, result.Error);
            _reportTo.Tell(new ListenerProtocol.BindFailed(_name, $"cannot bind {_address}: {result.Error}"));
            Context.Stop(Self);
            return;
        }
        _binding = result.Binding;
        _log.Info("listener {0} bound to {1}", _name, result.Binding.LocalAddress);
        _reportTo.Tell(new ListenerProtocol.Bound(_name, result.Binding.LocalAddress));
    }

    private void OnAccepted(ListenerProtocol.Accepted accepted)
    {
        _stats.DownstreamCxTotal.Inc();
        if (_pipeline is null || !_accepting || OpenConnections >= _settings.MaxConnections || _binding is null)
        {
            // No filter chain (or over the connection limit): Envoy closes the connection straight away.
            accepted.Connection.Transport.Join(Flow.FromSinkAndSource(Sink.Cancelled<ByteString>(), Source.Empty<ByteString>())).Run(_materializer);
            return;
        }
        var child = Context.ActorOf(ConnectionActor.Props(accepted.Connection.Transport, _pipeline(accepted.Connection.Addresses), _materializer, _stats.DownstreamCxLengthMs), $"cx-{_settings.NextConnectionId()}");
        Context.Watch(child);
        _stats.DownstreamCxActive.Inc();
    }

    private void CheckDrained()
    {
        var open = OpenConnections;
        _stats.DownstreamCxActive.Set(open);
        if (open == 0 && _drainWaiters.Count > 0)
        {
            var waiters = _drainWaiters.ToArray();
            _drainWaiters.Clear();
            var drained = new ListenerProtocol.Drained(_name);
            var unbound = _binding?.Unbind() ?? Task.CompletedTask;
            _binding = null;
            unbound.ContinueWith(_ =>
            {
                foreach (var waiter in waiters)
                {
                    waiter.Tell(drained);
                }
            });
        }
    }
}

/// <summary>Per-listener settings that are not part of Envoy's config.</summary>
public sealed class ListenerSettings
{
    private long _connectionIds;

    /// <summary>Stats scope name instead of the address (the admin listener's is <c>admin</c>).</summary>
    public string? StatsName { get; init; }

    /// <summary>Which socket edge accepted connections run on.</summary>
    public SocketEdge Edge { get; init; } = SocketEdge.Socket;

    /// <summary>Envoy's <c>per_connection_buffer_limit_bytes</c>: bounds each receive on the socket edge.</summary>
    public int BufferLimitBytes { get; init; } = ListenerConfig.DefaultPerConnectionBufferLimitBytes;

    /// <summary>Open downstream connections above which new ones are closed at once.</summary>
    public int MaxConnections { get; init; } = 10_000;

    public long NextConnectionId() => Interlocked.Increment(ref _connectionIds);
}
