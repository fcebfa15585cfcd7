using System.Net;
using ActorMesh.AccessLog;
using ActorMesh.Admin;
using ActorMesh.Config;
using ActorMesh.Http;
using ActorMesh.Listeners;
using ActorMesh.Runtime;
using ActorMesh.Stats;
using ActorMesh.Stats.Sinks;
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

    /// <summary>Where the first config version came from, for <c>/config_status</c>.</summary>
    public string ConfigSource { get; init; } = "bootstrap";

    /// <summary>This node's <c>--admin-address</c> and <c>--bind-address</c>, laid over every config it applies.</summary>
    public Mesh.NodeOverrides LocalOverrides { get; init; } = Mesh.NodeOverrides.None;

    /// <summary>The number of the version the node starts with: 1 standalone, the routing table's version in a mesh.</summary>
    public long InitialVersion { get; init; } = 1;

    /// <summary>Mesh mode: where <c>POST /config</c> sends a config (the ConfigStore singleton); null applies it locally.</summary>
    public Admin.IConfigAuthority? ConfigAuthority { get; init; }

    /// <summary>Mesh mode: every node's applied version and last NACK, for <c>/config_status</c>.</summary>
    public Mesh.MeshStatusBoard? MeshStatus { get; init; }

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
/// Starts one node: the <see cref="ClusterManager"/>, the <see cref="ListenerManager"/> and the
/// <see cref="ConfigUpdateActor"/> that moves both from version to version (the config it starts with is version 1),
/// the admin listener, and the shutdown tasks that unbind and drain them.
/// </summary>
public sealed class ActorMeshServer
{
    private readonly ActorSystem _system;
    private readonly IActorRef _listenerManager;
    private readonly IActorRef? _admin;
    private readonly List<IActorRef> _owned;

    private ActorMeshServer(ActorSystem system, StatsStore stats, ServedConfig served, IActorRef configUpdates, IActorRef listenerManager, IActorRef? admin, EndPoint? adminAddress, List<IActorRef> owned)
    {
        _system = system;
        Stats = stats;
        Served = served;
        ConfigUpdates = configUpdates;
        _listenerManager = listenerManager;
        _admin = admin;
        AdminAddress = adminAddress;
        _owned = owned;
    }

    public StatsStore Stats { get; }

    /// <summary>
    /// Adds a stats sink actor started elsewhere: from the next flush on, every scope sends it
    /// <see cref="StatsSinkProtocol.Flush"/>. The caller owns its lifetime (and unregisters it through
    /// <see cref="StatsStore.Sinks"/> before stopping it).
    /// </summary>
    public void RegisterStatsSink(IActorRef sink) => Stats.Sinks.Register(sink);

    /// <summary>The version being served, and the last NACK.</summary>
    public ServedConfig Served { get; }

    /// <summary>
    /// Where new config versions go: <see cref="ConfigUpdateProtocol.ApplyVersion"/>, answered with
    /// <see cref="ConfigUpdateProtocol.VersionApplied"/> or <see cref="ConfigUpdateProtocol.VersionRejected"/>.
    /// </summary>
    public IActorRef ConfigUpdates { get; }

    public IReadOnlyDictionary<string, UpstreamCluster> Clusters => Served.Current.Clusters;

    /// <summary>Where each listener (by name) of the current version is bound; tells the port when the config says 0.</summary>
    public IReadOnlyDictionary<string, EndPoint> ListenerAddresses => Served.Current.ListenerAddresses.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);

    public EndPoint? AdminAddress { get; }

    /// <summary>The server-wide flags: LIVE, health checks failed, draining.</summary>
    public required ServerState State { get; init; }

    /// <summary>What the admin and the command host may do to the node: drain, apply a version, shut down.</summary>
    internal IServerControl Control { get; init; } = null!;

    /// <summary>The node-local settings it started with (its overrides, its config source).</summary>
    public required ServerOptions Options { get; init; }

    private const string AdminStatsPrefix = "http.admin.";

    /// <summary>Bound on one apply step beyond the warming and binding deadlines it already has.</summary>
    private static readonly TimeSpan StepMargin = TimeSpan.FromSeconds(5);

    public static async Task<ActorMeshServer> StartAsync(ActorSystem system, BootstrapConfig config, ServerOptions options)
    {
        var stats = new StatsStore(StatsSettings.From(config));
        var startedAt = DateTimeOffset.UtcNow;
        var state = new ServerState(stats.GetOrCreate("server."), startedAt);
        var owned = new List<IActorRef>();
        var accessLogs = new AccessLogManager(system, stats);
        // One runtime for the node: what /runtime_modify writes, runtime_fraction reads.
        var runtime = new RuntimeLoader(config.RuntimeLayers);
        var tracing = new TracingManager(system, stats, config.Node?.Id is { Length: > 0 } id ? id : Environment.MachineName, options.ServerName);
        var clusterManager = system.ActorOf(ClusterManager.Props(stats, options.StartTimeout, accessLogs), ActorNames.Unique("cluster-manager"));
        var listenerStats = new ListenerManagerStats(stats.GetOrCreate(ListenerManagerStats.ScopePrefix));
        var listenerManager = system.ActorOf(
            ListenerManager.Props(stats, listenerStats, new ListenerPipelineFactory(stats, accessLogs, tracing, options.ServerName, runtime, () => state.HealthCheckFailed),
                new ListenerManagerSettings(options.SocketEdge, options.StartTimeout, options.DrainTime)),
            ActorNames.Unique("listener-manager"));
        var served = new ServedConfig(
            new ServedVersion(0, config, new Dictionary<string, UpstreamCluster>(), []),
            new ConfigStatus(0, "none", startedAt, null));
        // Sinks start before the first version's scopes so that they see every flush; a TCP statsd sink finds its
        // cluster in whichever version is served when it connects.
        var sinks = options.StatsSinks.Concat(StatsdSinkFactory.Create(config.StatsSinks, stats, name => served.Current.Clusters.GetValueOrDefault(name)));
        foreach (var sinkProps in sinks)
        {
            var sink = system.ActorOf(sinkProps, ActorNames.Unique("stats-sink"));
            stats.Sinks.Register(sink);
            owned.Add(sink);
        }
        owned.Add(system.ActorOf(StatsScopeActor.Props(stats, "server."), ActorNames.Unique("stats-server")));
        var configUpdates = system.ActorOf(
            ConfigUpdateActor.Props(clusterManager, listenerManager, served, listenerStats, state, options.StartTimeout + StepMargin),
            ActorNames.Unique("config-updates"));
        owned.AddRange([configUpdates, listenerManager, clusterManager]);

        var first = await configUpdates.Ask(new ConfigUpdateProtocol.ApplyVersion(config, options.InitialVersion, options.ConfigSource), options.StartTimeout * 2 + StepMargin * 2);
        if (first is ConfigUpdateProtocol.VersionRejected rejected)
        {
            StopAll(system, owned, accessLogs, tracing);
            throw new ListenerBindException(rejected.Nack.Reason);
        }
        owned.AddRange(accessLogs.Actors);
        owned.AddRange(tracing.Actors);

        var control = new ServerControl(system, state, listenerManager, served, configUpdates, options.StartTimeout * 2 + StepMargin * 2);
        IActorRef? admin = null;
        EndPoint? adminAddress = null;
        if (config.Admin is not null)
        {
            (admin, adminAddress) = await StartAdminAsync(system, served, stats, state, control, runtime, options, startedAt, owned);
            if (adminAddress is null)
            {
                StopAll(system, owned, accessLogs, tracing);
                throw new ListenerBindException($"admin: cannot bind {config.Admin.Address}");
            }
        }
        var server = new ActorMeshServer(system, stats, served, configUpdates, listenerManager, admin, adminAddress, owned) { State = state, Control = control, Options = options };
        state.MarkInitialized();
        server.RegisterShutdown(options);
        return server;
    }

    /// <summary>Applies <paramref name="config"/> as the next version; the answer is the ACK or the NACK.</summary>
    public async Task<object> ApplyAsync(BootstrapConfig config, string source, TimeSpan timeout) =>
        await ConfigUpdates.Ask(new ConfigUpdateProtocol.ApplyVersion(config, null, source), timeout);

    /// <summary>Stops accepting, lets requests in flight finish (up to <paramref name="drainTime"/>), then stops.</summary>
    public async Task StopAsync(TimeSpan drainTime)
    {
        await UnbindAsync();
        await DrainAsync(drainTime);
        StopActors();
    }

    private static async Task<(IActorRef? Admin, EndPoint? Address)> StartAdminAsync(
        ActorSystem system, ServedConfig served, StatsStore stats, ServerState state, ServerControl control, RuntimeLoader runtime, ServerOptions options, DateTimeOffset startedAt, List<IActorRef> owned)
    {
        var context = new AdminContext(served, stats, startedAt, typeof(ActorMeshServer).Assembly.GetName().Version?.ToString(3) ?? "0.0.0")
        {
            Server = state,
            Options = options,
            Control = control,
            Runtime = runtime,
            Logging = new AkkaLogLevels(system),
        };
        // Envoy keeps the admin's connection manager stats under http.admin.
        var adminStats = new HttpConnectionManagerStats(stats.GetOrCreate(AdminStatsPrefix));
        owned.Add(system.ActorOf(StatsScopeActor.Props(stats, AdminStatsPrefix), ActorNames.Unique("stats-http-admin")));
        var adminFlow = Flow.Create<ByteString>()
            .Via(new Http1RequestDecoder(Http1Limits.Default))
            .ViaMaterialized(new AdminStage(context, adminStats), Keep.Right);
        ConnectionPipeline adminPipeline = _ => adminFlow;
        var inbox = Inbox.Create(system);
        // Parenthesised so that no listener name from a config can collide with it.
        var admin = system.ActorOf(
            ListenerActor.Props("(admin)", served.Current.Config.Admin!.Address, adminPipeline, new ListenerSettings { StatsName = "admin", Edge = options.SocketEdge }, stats, inbox.Receiver),
            ActorNames.Unique("listener-admin"));
        owned.Add(admin);
        try
        {
            return await inbox.ReceiveAsync(options.StartTimeout) switch
            {
                ListenerProtocol.Bound b => (admin, b.LocalAddress),
                _ => (admin, null),
            };
        }
        catch (TimeoutException)
        {
            return (admin, null);
        }
    }

    /// <summary>
    /// A node stops in CoordinatedShutdown's order, so it drains before it leaves the cluster (cluster-leave comes
    /// after these phases): the proxy listeners stop accepting and <c>/ready</c> says DRAINING; requests in flight finish
    /// (up to <c>--drain-time-s</c>) and keep-alive connections get <c>connection: close</c>; the admin answers until
    /// the drain is over, so a load balancer polling <c>/ready</c> sees DRAINING rather than a refused connection.
    /// </summary>
    private void RegisterShutdown(ServerOptions options)
    {
        var shutdown = CoordinatedShutdown.Get(_system);
        shutdown.AddTask(CoordinatedShutdown.PhaseServiceUnbind, "actormesh-unbind-listeners", async () =>
        {
            State.StartDraining();
            await UnbindAsync(includeAdmin: false);
            return Done.Instance;
        });
        shutdown.AddTask(CoordinatedShutdown.PhaseServiceRequestsDone, "actormesh-drain-connections", async () =>
        {
            await DrainAsync(options.DrainTime, includeAdmin: false);
            return Done.Instance;
        });
        shutdown.AddTask(CoordinatedShutdown.PhaseServiceStop, "actormesh-stop-admin", async () =>
        {
            await UnbindAsync(includeAdmin: true);
            await DrainAsync(TimeSpan.Zero, includeAdmin: true);
            return Done.Instance;
        });
    }

    private async Task UnbindAsync(bool includeAdmin = true)
    {
        var unbinds = new List<Task> { _listenerManager.Ask<ListenerManagerProtocol.Unbound>(ListenerManagerProtocol.Unbind.Instance, UnbindTimeout) };
        if (includeAdmin && _admin is not null)
        {
            unbinds.Add(_admin.Ask<ListenerProtocol.Unbound>(ListenerProtocol.Unbind.Instance, UnbindTimeout));
        }
        try
        {
            await Task.WhenAll(unbinds);
        }
        catch (Exception e) when (e is AskTimeoutException or TaskCanceledException)
        {
            // A listener that is already gone has nothing left to unbind.
        }
    }

    private static readonly TimeSpan UnbindTimeout = TimeSpan.FromSeconds(5);

    private async Task DrainAsync(TimeSpan drainTime, bool includeAdmin = true)
    {
        var drains = new List<Task> { _listenerManager.Ask<ListenerManagerProtocol.Drained>(new ListenerManagerProtocol.Drain(drainTime), drainTime + UnbindTimeout) };
        if (includeAdmin && _admin is not null)
        {
            // The admin's own connections (a /ready poll) get no idle grace: nothing waits on them.
            drains.Add(_admin.Ask<ListenerProtocol.Drained>(ListenerProtocol.Drain.Instance, drainTime + UnbindTimeout));
        }
        try
        {
            await Task.WhenAll(drains);
        }
        catch (Exception e) when (e is AskTimeoutException or TaskCanceledException)
        {
            // Drain time is up: what is still open is cut when the system stops, as Envoy does after --drain-time-s.
        }
    }

    private void StopActors()
    {
        foreach (var actor in _owned)
        {
            _system.Stop(actor);
        }
    }

    private static void StopAll(ActorSystem system, List<IActorRef> owned, AccessLogManager accessLogs, TracingManager tracing)
    {
        foreach (var actor in owned.Concat(accessLogs.Actors).Concat(tracing.Actors))
        {
            system.Stop(actor);
        }
    }
}
