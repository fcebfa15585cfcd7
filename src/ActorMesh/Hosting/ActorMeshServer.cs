using System.Collections.Immutable;
using System.Net;
using System.Text.RegularExpressions;
using ActorMesh.AccessLog;
using ActorMesh.Admin;
using ActorMesh.Config;
using ActorMesh.Http;
using ActorMesh.Listeners;
using ActorMesh.Runtime;
using ActorMesh.Stats;
using ActorMesh.Tracing;
using ActorMesh.Upstream;
using Akka;
using Akka.Actor;
using Akka.IO;
using Akka.Streams;
using Akka.Streams.Dsl;

namespace ActorMesh.Hosting;

/// <summary>Node-local settings that are not part of the Envoy config.</summary>
public sealed record ServerOptions
{
    /// <summary>How long a shutdown waits for requests in flight (Envoy's <c>--drain-time-s</c>).</summary>
    public TimeSpan DrainTime { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How long startup waits for clusters' first DNS resolution and for listeners to bind.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The socket edge of every listener (HOCON <c>actormesh.listener.socket-edge</c>).</summary>
    public SocketEdge SocketEdge { get; init; } = SocketEdge.Socket;

    /// <summary>The <c>server</c> header on responses (Envoy's <c>server_name</c>).</summary>
    public string ServerName { get; init; } = "actormesh";

    /// <summary>The <c>-c</c> file the config came from, for <c>/server_info</c>; null for a built-in config.</summary>
    public string? ConfigPath { get; init; }

    /// <summary>The <c>--log-level</c> the node started with (Envoy's level names), for <c>/server_info</c>.</summary>
    public string LogLevel { get; init; } = "info";

    /// <summary>
    /// Stats sink actors to start with the node (a statsd sink, for example): each is started and registered before any
    /// stats scope, so it receives every <see cref="StatsSinkProtocol.Flush"/>, and it stops with the node.
    /// </summary>
    public IReadOnlyList<Props> StatsSinks { get; init; } = [];
}

/// <summary>A listener or the admin endpoint failed to bind; the node does not start.</summary>
public sealed class ListenerBindException : Exception
{
    public ListenerBindException(string message) : base(message) { }
}

/// <summary>
/// Starts one node's data plane from a loaded config: an <see cref="UpstreamClusterActor"/> per cluster, a
/// <see cref="ListenerActor"/> per listener and one for the admin, and the shutdown tasks that unbind and drain them.
/// </summary>
public sealed class ActorMeshServer
{
    private readonly ActorSystem _system;
    private readonly List<IActorRef> _listeners;
    private readonly List<IActorRef> _owned;

    private ActorMeshServer(
        ActorSystem system,
        StatsStore stats,
        IReadOnlyDictionary<string, UpstreamCluster> clusters,
        IReadOnlyDictionary<string, EndPoint> listenerAddresses,
        EndPoint? adminAddress,
        List<IActorRef> listeners,
        List<IActorRef> owned)
    {
        _system = system;
        Stats = stats;
        Clusters = clusters;
        ListenerAddresses = listenerAddresses;
        AdminAddress = adminAddress;
        _listeners = listeners;
        _owned = owned;
    }

    public StatsStore Stats { get; }

    /// <summary>
    /// Adds a stats sink actor started elsewhere: from the next flush on, every scope sends it
    /// <see cref="StatsSinkProtocol.Flush"/>. The caller owns its lifetime (and unregisters it through
    /// <see cref="StatsStore.Sinks"/> before stopping it).
    /// </summary>
    public void RegisterStatsSink(IActorRef sink) => Stats.Sinks.Register(sink);
    public IReadOnlyDictionary<string, UpstreamCluster> Clusters { get; }

    /// <summary>Where each listener (by name) actually bound; tells the port when the config says 0.</summary>
    public IReadOnlyDictionary<string, EndPoint> ListenerAddresses { get; }

    public EndPoint? AdminAddress { get; }

    /// <summary>The server-wide flags: LIVE, health checks failed, draining.</summary>
    public required ServerState State { get; init; }

    private const string AdminStatsPrefix = "http.admin.";

    public static async Task<ActorMeshServer> StartAsync(ActorSystem system, BootstrapConfig config, ServerOptions options)
    {
        var stats = new StatsStore(StatsSettings.From(config));
        var startedAt = DateTimeOffset.UtcNow;
        var state = new ServerState(stats.GetOrCreate("server."), startedAt);
        var control = new ServerControl(system, state);
        var owned = new List<IActorRef>();
        foreach (var sinkProps in options.StatsSinks)
        {
            var sink = system.ActorOf(sinkProps, UniqueName("stats-sink"));
            stats.Sinks.Register(sink);
            owned.Add(sink);
        }
        owned.Add(system.ActorOf(StatsScopeActor.Props(stats, "server."), UniqueName("stats-server")));

        var clusters = new Dictionary<string, UpstreamCluster>(StringComparer.Ordinal);
        foreach (var clusterConfig in config.StaticResources.Clusters)
        {
            var cluster = new UpstreamCluster(clusterConfig, new ClusterStats(stats.GetOrCreate(UpstreamClusterActor.ScopePrefix(clusterConfig.Name))));
            clusters.Add(clusterConfig.Name, cluster);
            owned.Add(system.ActorOf(UpstreamClusterActor.Props(cluster, stats), UniqueName("cluster-" + clusterConfig.Name)));
        }
        // Like Envoy's cluster warming: listeners open once every cluster has its first host set.
        await Task.WhenAny(Task.WhenAll(clusters.Values.Select(c => c.Initialized.Task)), Task.Delay(options.StartTimeout));

        var inbox = Inbox.Create(system);
        var listeners = new List<IActorRef>();
        var accessLogs = new AccessLogManager(system, stats);
        var tracing = new TracingManager(system, stats, clusters, Environment.MachineName, options.ServerName);
        // One runtime for the node: what /runtime_modify writes, runtime_fraction reads.
        var runtime = new RuntimeLoader();
        foreach (var listenerConfig in config.StaticResources.Listeners)
        {
            var pipeline = BuildPipeline(system, listenerConfig, clusters, stats, accessLogs, tracing, runtime, options, owned);
            var listener = system.ActorOf(
                ListenerActor.Props(listenerConfig.Name, listenerConfig.Address, pipeline, new ListenerSettings { Edge = options.SocketEdge, BufferLimitBytes = listenerConfig.PerConnectionBufferLimitBytes }, stats, inbox.Receiver),
                UniqueName("listener-" + listenerConfig.Name));
            listeners.Add(listener);
            control.AddListener(listener);
        }
        owned.AddRange(accessLogs.Actors);
        owned.AddRange(tracing.Actors);
        // Parenthesised so that no listener name from a config can collide with it.
        const string adminName = "(admin)";
        if (config.Admin is not null)
        {
            var context = new AdminContext(config, stats, clusters, startedAt, typeof(ActorMeshServer).Assembly.GetName().Version?.ToString(3) ?? "0.0.0")
            {
                Server = state,
                Options = options,
                Control = control,
                Runtime = runtime,
                Logging = new AkkaLogLevels(system),
            };
            // Envoy keeps the admin's connection manager stats under http.admin.
            var adminStats = new HttpConnectionManagerStats(stats.GetOrCreate(AdminStatsPrefix));
            owned.Add(system.ActorOf(StatsScopeActor.Props(stats, AdminStatsPrefix), UniqueName("stats-http-admin")));
            var adminFlow = Flow.Create<ByteString>()
                .Via(new Http1RequestDecoder(Http1Limits.Default))
                .ViaMaterialized(new AdminStage(context, adminStats), Keep.Right);
            ConnectionPipeline adminPipeline = _ => adminFlow;
            listeners.Add(system.ActorOf(
                ListenerActor.Props(adminName, config.Admin.Address, adminPipeline, new ListenerSettings { StatsName = "admin", Edge = options.SocketEdge }, stats, inbox.Receiver),
                UniqueName("listener-admin")));
        }

        var bound = new Dictionary<string, EndPoint>(StringComparer.Ordinal);
        EndPoint? admin = null;
        var failures = new List<string>();
        var deadline = DateTime.UtcNow + options.StartTimeout;
        for (var i = 0; i < listeners.Count; i++)
        {
            var remaining = deadline - DateTime.UtcNow;
            object answer;
            try
            {
                answer = await inbox.ReceiveAsync(remaining > TimeSpan.Zero ? remaining : TimeSpan.FromMilliseconds(1));
            }
            catch (TimeoutException)
            {
                failures.Add("listeners did not bind in time");
                break;
            }
            switch (answer)
            {
                case ListenerProtocol.Bound b when b.Name == adminName:
                    admin = b.LocalAddress;
                    break;
                case ListenerProtocol.Bound b:
                    bound[b.Name] = b.LocalAddress;
                    break;
                case ListenerProtocol.BindFailed f:
                    failures.Add($"listener {f.Name}: {f.Reason}");
                    break;
            }
        }
        var server = new ActorMeshServer(system, stats, clusters, bound, admin, listeners, owned) { State = state };
        if (failures.Count > 0)
        {
            server.StopActors();
            throw new ListenerBindException(string.Join("; ", failures));
        }
        control.SetAddresses(config.StaticResources.Listeners
            .Where(l => bound.ContainsKey(l.Name))
            .Select(l => KeyValuePair.Create(l.Name, bound[l.Name]))
            .ToList());
        state.MarkInitialized();
        server.RegisterShutdown(options);
        return server;
    }

    /// <summary>Stops accepting, lets requests in flight finish (up to <paramref name="drainTime"/>), then stops.</summary>
    public async Task StopAsync(TimeSpan drainTime)
    {
        await UnbindAsync();
        await DrainAsync(drainTime);
        StopActors();
    }

    private static ConnectionPipeline? BuildPipeline(
        ActorSystem system,
        ListenerConfig listener,
        IReadOnlyDictionary<string, UpstreamCluster> clusters,
        StatsStore stats,
        AccessLogManager accessLogs,
        TracingManager tracing,
        RuntimeLoader runtime,
        ServerOptions options,
        List<IActorRef> owned)
    {
        var hcmConfig = listener.FilterChains.SelectMany(fc => fc.Filters).OfType<HttpConnectionManagerConfig>().FirstOrDefault();
        if (hcmConfig is null)
        {
            return null;
        }
        var prefix = HttpConnectionManager.ScopePrefix(hcmConfig.StatPrefix);
        var hcm = new HttpConnectionManager(hcmConfig, clusters, new HttpConnectionManagerStats(stats.GetOrCreate(prefix)), options.ServerName)
        {
            AccessLogs = accessLogs.CreateLoggers(hcmConfig.AccessLogs),
            Tracer = tracing.CreateTracer(hcmConfig.Tracing),
            Runtime = runtime,
        };
        owned.Add(system.ActorOf(StatsScopeActor.Props(stats, prefix), UniqueName("stats-http-" + hcmConfig.StatPrefix)));
        return addresses => Flow.Create<ByteString>()
            .Via(new Http1RequestDecoder(hcm.Limits, hcmConfig.Timeouts.RequestHeaders))
            .ViaMaterialized(new HttpConnectionManagerStage(hcm, addresses), Keep.Right);
    }

    private void RegisterShutdown(ServerOptions options)
    {
        var shutdown = CoordinatedShutdown.Get(_system);
        shutdown.AddTask(CoordinatedShutdown.PhaseServiceUnbind, "actormesh-unbind-listeners", async () =>
        {
            State.StartDraining();
            await UnbindAsync();
            return Done.Instance;
        });
        shutdown.AddTask(CoordinatedShutdown.PhaseServiceRequestsDone, "actormesh-drain-connections", async () =>
        {
            await DrainAsync(options.DrainTime);
            return Done.Instance;
        });
    }

    private async Task UnbindAsync()
    {
        try
        {
            await Task.WhenAll(_listeners.Select(l => l.Ask<ListenerProtocol.Unbound>(ListenerProtocol.Unbind.Instance, TimeSpan.FromSeconds(5))));
        }
        catch (Exception e) when (e is AskTimeoutException or TaskCanceledException)
        {
            // A listener that is already gone has nothing left to unbind.
        }
    }

    private async Task DrainAsync(TimeSpan drainTime)
    {
        try
        {
            await Task.WhenAll(_listeners.Select(l => l.Ask<ListenerProtocol.Drained>(ListenerProtocol.Drain.Instance, drainTime)));
        }
        catch (Exception e) when (e is AskTimeoutException or TaskCanceledException)
        {
            // Drain time is up: what is still open is cut when the system stops, as Envoy does after --drain-time-s.
        }
    }

    private void StopActors()
    {
        foreach (var actor in _listeners.Concat(_owned))
        {
            _system.Stop(actor);
        }
    }

    private static long _names;

    private static string UniqueName(string name) =>
        Regex.Replace(name, "[^A-Za-z0-9_-]", "_") + "-" + Interlocked.Increment(ref _names);
}
