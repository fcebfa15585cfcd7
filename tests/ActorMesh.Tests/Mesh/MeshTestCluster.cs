using System.Diagnostics;
using System.Net;
using ActorMesh.Mesh;
using Akka.Actor;
using Akka.Configuration;

namespace ActorMesh.Tests.Mesh;

/// <summary>
/// One in-process mesh node: an ActorSystem named like the real ones on 127.0.0.1 (real remoting, an ephemeral port),
/// a <see cref="MeshNode"/> with real listeners bound to its own loopback address (127.0.0.N through
/// <c>--bind-address</c>) and an admin on an ephemeral port.
/// </summary>
internal sealed class MeshTestNode
{
    private static readonly Akka.Configuration.Config NodeHocon = ConfigurationFactory.ParseString("""
        akka.loglevel = WARNING
        akka.stdout-loglevel = WARNING
        akka.remote.dot-netty.tcp { hostname = 127.0.0.1, port = 0 }
        # Terminate() is a crash here: no leave, no drain. Tests that want a node gone down it.
        akka.coordinated-shutdown.run-by-actor-system-terminate = off
        akka.coordinated-shutdown.run-by-clr-shutdown-hook = off
        # The singleton waits this long (the removal margin follows it) after a node is downed before it moves.
        akka.cluster.split-brain-resolver.stable-after = 2s
        """)
        .WithFallback(ConfigurationFactory.ParseString(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "hocon", "actormesh.hocon"))))
        .WithFallback(MeshSettings.Hocon);

    private MeshTestNode(int index, ActorSystem system, MeshNode mesh)
    {
        Index = index;
        System = system;
        Mesh = mesh;
    }

    public int Index { get; }

    public ActorSystem System { get; }

    public MeshNode Mesh { get; }

    public string BindAddress => BindAddressOf(Index);

    public Address Address => Akka.Cluster.Cluster.Get(System).SelfAddress;

    public long AppliedVersion => Mesh.Server.Served.Status.Version;

    public Uri Web => new($"http://{BindAddress}:{((IPEndPoint)Mesh.Server.ListenerAddresses["web"]).Port}/");

    public Uri Admin => new($"http://127.0.0.1:{((IPEndPoint)Mesh.Server.AdminAddress!).Port}/");

    /// <summary>Node N binds its wildcard listeners to 127.0.0.N: every 127/8 address is the loopback on Linux.</summary>
    public static string BindAddressOf(int index) => $"127.0.0.{index}";

    /// <param name="setup">Extra settings for the ActorSystem (remoting TLS: <see cref="RemotingTls"/>).</param>
    public static async Task<MeshTestNode> StartAsync(int index, Address? seed, Akka.Configuration.Config persistence, string? firstStartYaml, ConfigStoreSettings? storeSettings, bool keepLocalHistory, Akka.Actor.Setup.Setup? setup = null, Akka.Configuration.Config? hocon = null)
    {
        var config = (hocon ?? Akka.Configuration.Config.Empty).WithFallback(NodeHocon).WithFallback(persistence);
        var bootstrap = BootstrapSetup.Create().WithConfig(config);
        var system = setup is null ? ActorSystem.Create("actormesh", bootstrap) : ActorSystem.Create("actormesh", bootstrap.And(setup));
        var cluster = Akka.Cluster.Cluster.Get(system);
        cluster.Join(seed ?? cluster.SelfAddress);
        var overrides = new NodeOverrides(new ActorMesh.Config.SocketAddressConfig("127.0.0.1", 0), BindAddressOf(index));
        try
        {
            var mesh = await MeshNode.StartAsync(system, new MeshNodeOptions
            {
                FirstStartYaml = firstStartYaml,
                Bootstrap = firstStartYaml is null ? NodeBootstrap.Bare(overrides) : NodeBootstrap.FromFile(firstStartYaml, overrides),
                Server = new ActorMesh.Hosting.ServerOptions { DrainTime = TimeSpan.FromSeconds(1), LocalOverrides = overrides },
                StoreSettings = storeSettings,
                KeepLocalHistory = keepLocalHistory,
            });
            return new MeshTestNode(index, system, mesh);
        }
        catch
        {
            await system.Terminate();
            throw;
        }
    }

    /// <summary>The versions this node's history replica holds (SQLite mode).</summary>
    public async Task<IReadOnlyList<ConfigVersion>> ReplicatedHistoryAsync() =>
        (await System.ActorSelection("/user/config-history").Ask<ConfigHistoryReplicaProtocol.ReplicatedHistory>(new ConfigHistoryReplicaProtocol.GetReplicatedHistory(0), TimeSpan.FromSeconds(5))).Versions.ToList();

    /// <summary>The store's version <paramref name="version"/>, through this node's singleton proxy.</summary>
    public async Task<ConfigVersion> StoredVersionAsync(long version) =>
        (await Mesh.StoreProxy.Ask<ConfigStoreProtocol.VersionFound>(new ConfigStoreProtocol.GetVersion(version), TimeSpan.FromSeconds(10))).Entry;

    /// <summary>A crash: the system stops without leaving the cluster, its sockets close with its actors.</summary>
    public Task KillAsync() => System.Terminate();
}

/// <summary>Three (or N) <see cref="MeshTestNode"/>s joined to the first, which offers the first version.</summary>
internal sealed class MeshTestCluster : IAsyncDisposable
{
    private MeshTestCluster(List<MeshTestNode> nodes) => Nodes = nodes;

    public List<MeshTestNode> Nodes { get; }

    /// <param name="keepLocalHistory">Each node's history replica: on for SQLite, off for a shared PostgreSQL journal.</param>
    public static async Task<MeshTestCluster> StartAsync(int count, Func<int, Akka.Configuration.Config> persistence, string firstYaml, ConfigStoreSettings? storeSettings = null, bool keepLocalHistory = true)
    {
        var first = await MeshTestNode.StartAsync(1, null, persistence(1), firstYaml, storeSettings, keepLocalHistory);
        var nodes = new List<MeshTestNode> { first };
        try
        {
            var others = Enumerable.Range(2, count - 1).Select(i => MeshTestNode.StartAsync(i, first.Address, persistence(i), null, storeSettings, keepLocalHistory));
            nodes.AddRange(await Task.WhenAll(others));
        }
        catch
        {
            await new MeshTestCluster(nodes).DisposeAsync();
            throw;
        }
        return new MeshTestCluster(nodes);
    }

    public async ValueTask DisposeAsync() => await Task.WhenAll(Nodes.Select(n => n.KillAsync()));

    /// <summary>Polls until every node in <paramref name="nodes"/> serves <paramref name="version"/>; the time it took.</summary>
    public static async Task<TimeSpan> AllOnVersionAsync(IEnumerable<MeshTestNode> nodes, long version, TimeSpan timeout, long startedAt = 0)
    {
        var start = startedAt == 0 ? Stopwatch.GetTimestamp() : startedAt;
        var list = nodes.ToList();
        await Eventually.Until(() => list.All(n => n.AppliedVersion >= version), timeout,
            () => $"nodes did not reach version {version}: " + string.Join(", ", list.Select(n => $"node {n.Index} on {n.AppliedVersion}")));
        return Stopwatch.GetElapsedTime(start);
    }
}

/// <summary>Bounded polling for a condition (every 10 ms): no sleep where a condition can be awaited.</summary>
internal static class Eventually
{
    public static async Task Until(Func<bool> condition, TimeSpan timeout, Func<string> describe)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (!condition())
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException(describe());
            }
            await Task.Delay(10);
        }
    }

    public static async Task<T> UntilAsync<T>(Func<Task<T>> probe, Func<T, bool> accept, TimeSpan timeout, Func<T?, string> describe)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        T? last = default;
        while (true)
        {
            last = await probe();
            if (accept(last))
            {
                return last;
            }
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException(describe(last));
            }
            await Task.Delay(20);
        }
    }
}
