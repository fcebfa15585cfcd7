using ActorMesh.Admin;
using ActorMesh.Hosting;
using Akka.Actor;
using Akka.Cluster.Tools.Singleton;
using Akka.DistributedData;
using static ActorMesh.Mesh.ConfigStoreProtocol;

namespace ActorMesh.Mesh;

/// <summary>How one node joins the mesh's config plane; the node's cluster membership is set up before.</summary>
public sealed record MeshNodeOptions
{
    /// <summary>The node's <c>-c</c> file: stored as the first version if the store is empty; otherwise the store wins.</summary>
    public string? FirstStartYaml { get; init; }

    public required NodeBootstrap Bootstrap { get; init; }

    /// <summary>Drain time, socket edge, …; the version, source, authority and status board are filled in here.</summary>
    public ServerOptions Server { get; init; } = new();

    /// <summary>Null: read from <c>actormesh.config-store</c>.</summary>
    public ConfigStoreSettings? StoreSettings { get; init; }

    /// <summary>
    /// Keep a <see cref="ConfigHistoryReplica"/> in this node's journal: on for the embedded SQLite store (each node's
    /// own file), off for PostgreSQL (one journal for all).
    /// </summary>
    public bool KeepLocalHistory { get; init; } = true;
}

/// <summary>
/// A running mesh node: the ConfigStore singleton manager and its proxy, the node's <see cref="ActorMeshServer"/>
/// serving the routing table's version, and the actors that follow the table and report this node's status.
/// </summary>
public sealed class MeshNode
{
    public const string StoreSingletonName = "config-store";

    private static readonly TimeSpan StoreAskTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan ApplyTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan TablePollInterval = TimeSpan.FromMilliseconds(100);

    private MeshNode(ActorMeshServer server, IActorRef storeProxy, IConfigAuthority authority, MeshStatusBoard board)
    {
        Server = server;
        StoreProxy = storeProxy;
        Authority = authority;
        Board = board;
    }

    public ActorMeshServer Server { get; }

    /// <summary>The ConfigStore singleton's proxy: <see cref="ConfigStoreProtocol"/> commands, answered by the store.</summary>
    public IActorRef StoreProxy { get; }

    public IConfigAuthority Authority { get; }

    public MeshStatusBoard Board { get; }

    /// <summary>
    /// Starts the singleton manager and proxy, waits until this node is Up, offers its file as the first version,
    /// waits for the routing table's current version and starts serving it.
    /// </summary>
    public static async Task<MeshNode> StartAsync(ActorSystem system, MeshNodeOptions options)
    {
        var settings = MeshSettings.FromConfig(system.Settings.Config);
        var replicator = DistributedData.Get(system).Replicator;
        var cluster = Akka.Cluster.Cluster.Get(system);
        var deadline = DateTime.UtcNow + settings.FirstVersionTimeout;
        await WhenUpAsync(cluster, settings.FirstVersionTimeout);

        var proxy = system.ActorOf(
            ClusterSingletonProxy.Props($"/user/{StoreSingletonName}", ClusterSingletonProxySettings.Create(system)),
            StoreSingletonName + "-proxy");
        var history = options.KeepLocalHistory
            ? system.ActorOf(ConfigHistoryReplica.Props(replicator, proxy, options.StoreSettings), "config-history")
            : null;
        system.ActorOf(
            ClusterSingletonManager.Props(ConfigAuthorityActor.Props(replicator, history, settings, options.StoreSettings), PoisonPill.Instance, ClusterSingletonManagerSettings.Create(system)),
            StoreSingletonName);
        var node = cluster.SelfAddress.ToString();
        if (options.FirstStartYaml is { } yaml)
        {
            await FirstStartAsync(proxy, yaml, node, deadline);
        }
        var (version, config) = await FirstVersionAsync(replicator, options.Bootstrap, settings, deadline);

        var board = new MeshStatusBoard();
        var authority = new SingletonConfigAuthority(proxy, node, StoreAskTimeout);
        var server = await ActorMeshServer.StartAsync(system, config, options.Server with
        {
            InitialVersion = version,
            ConfigSource = MeshTableSubscriber.Source,
            ConfigAuthority = authority,
            MeshStatus = board,
        });
        system.ActorOf(MeshStatusWatcher.Props(replicator, board), "mesh-status");
        system.ActorOf(MeshTableSubscriber.Props(replicator, server.ConfigUpdates, server.Served, options.Bootstrap, settings, ApplyTimeout), "mesh-table");
        return new MeshNode(server, proxy, authority, board);
    }

    private static Task WhenUpAsync(Akka.Cluster.Cluster cluster, TimeSpan timeout)
    {
        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        cluster.RegisterOnMemberUp(() => up.TrySetResult());
        return up.Task.WaitAsync(timeout);
    }

    /// <summary>The singleton may be moving or its journal starting: asked again until the deadline.</summary>
    private static async Task FirstStartAsync(IActorRef proxy, string yaml, string node, DateTime deadline)
    {
        while (true)
        {
            try
            {
                switch (await proxy.Ask(new FirstStart(yaml, "file@" + node), StoreAskTimeout))
                {
                    case Rejected rejected:
                        throw new MeshStartException("the config store refused the -c file:\n  " + string.Join("\n  ", rejected.Errors));
                    default:
                        return;
                }
            }
            catch (AskTimeoutException) when (DateTime.UtcNow < deadline)
            {
            }
            catch (AskTimeoutException)
            {
                throw new MeshStartException("the config store did not answer: is a majority of the cluster up, and its journal reachable?");
            }
        }
    }

    /// <summary>
    /// The table's current version as this node's config. The table is not durable: after a full restart it fills once
    /// the singleton has recovered the store, so the node polls until then.
    /// </summary>
    private static async Task<(long Version, Config.BootstrapConfig Config)> FirstVersionAsync(IActorRef replicator, NodeBootstrap bootstrap, MeshSettings settings, DateTime deadline)
    {
        while (DateTime.UtcNow < deadline)
        {
            if (await MeshTableReads.ManifestAsync(replicator, Dsl.ReadLocal, settings.ReadTimeout) is { } manifest
                && await MeshTableReads.ResourcesAsync(replicator, manifest, settings.ReadTimeout) is { } resources)
            {
                var loaded = bootstrap.Build(resources);
                if (!loaded.IsValid)
                {
                    throw new MeshStartException($"the mesh's config version {manifest.Version} is invalid on this node:\n  " + string.Join("\n  ", loaded.Errors));
                }
                return (manifest.Version, loaded.Config!);
            }
            await Task.Delay(TablePollInterval);
        }
        throw new MeshStartException($"no config version reached this node within {settings.FirstVersionTimeout}: start a node with -c FILE while the store is empty");
    }
}

/// <summary>A node could not join the mesh's config plane; it does not start.</summary>
public sealed class MeshStartException : Exception
{
    public MeshStartException(string message) : base(message) { }
}
