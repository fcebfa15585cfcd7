using System.Collections.Immutable;
using ActorMesh.AccessLog;
using ActorMesh.Config;
using ActorMesh.Hosting;
using ActorMesh.Stats;
using Akka.Actor;
using Akka.Event;

namespace ActorMesh.Upstream;

/// <summary>
/// Envoy's ClusterManager: owns every <see cref="UpstreamClusterActor"/> of the node and moves them from one config
/// version to the next. Identical clusters (config records compare by value) are kept with their pools; a changed one
/// gets a new <see cref="UpstreamCluster"/> beside the old, which keeps serving connections that still hold it until
/// the version commits. Stats scopes belong to cluster names, not to cluster instances, so a modified cluster's
/// counters carry on and only a removed name disappears from <c>/stats</c>.
/// </summary>
public sealed class ClusterManager : ReceiveActor
{
    private readonly StatsStore _store;
    private readonly TimeSpan _warmingTimeout;
    private readonly AccessLogManager? _logs;
    private readonly ClusterManagerStats _stats;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<string, IActorRef> _scopes = new(StringComparer.Ordinal);
    private ImmutableDictionary<string, Entry> _current = ImmutableDictionary.Create<string, Entry>(StringComparer.Ordinal);
    private Pending? _pending;

    private sealed record Entry(UpstreamCluster Cluster, IActorRef Actor);

    private sealed record Pending(long Version, ImmutableDictionary<string, Entry> Next, IReadOnlyList<Entry> Created);

    /// <param name="warmingTimeout">How long a version waits for its new clusters' first discovery.</param>
    /// <param name="logs">Opens the health checks' <c>event_log_path</c> files (shared with the access logs).</param>
    public ClusterManager(StatsStore store, TimeSpan warmingTimeout, AccessLogManager? logs = null)
    {
        _store = store;
        _warmingTimeout = warmingTimeout;
        _logs = logs;
        _stats = new ClusterManagerStats(store.GetOrCreate(ClusterManagerStats.ScopePrefix));
        Context.ActorOf(StatsScopeActor.Props(store, ClusterManagerStats.ScopePrefix), "stats");

        Receive<ClusterManagerProtocol.Prepare>(OnPrepare);
        Receive<ClusterManagerProtocol.Commit>(OnCommit);
        Receive<ClusterManagerProtocol.Abort>(OnAbort);
    }

    public static Props Props(StatsStore store, TimeSpan warmingTimeout, AccessLogManager? logs = null) =>
        Akka.Actor.Props.Create(() => new ClusterManager(store, warmingTimeout, logs));

    private void OnPrepare(ClusterManagerProtocol.Prepare prepare)
    {
        // A version prepared and never committed or aborted (its applier timed out) is abandoned here.
        DiscardPending();
        var next = ImmutableDictionary.CreateBuilder<string, Entry>(StringComparer.Ordinal);
        var created = new List<Entry>();
        foreach (var config in prepare.Clusters)
        {
            if (_current.TryGetValue(config.Name, out var kept) && kept.Cluster.Config == config)
            {
                next.Add(config.Name, kept);
                continue;
            }
            var prefix = UpstreamClusterActor.ScopePrefix(config.Name);
            if (!_scopes.ContainsKey(config.Name))
            {
                _scopes.Add(config.Name, Context.ActorOf(StatsScopeActor.Props(_store, prefix), ActorNames.Unique("stats-" + config.Name)));
            }
            var cluster = new UpstreamCluster(config, new ClusterStats(_store.GetOrCreate(prefix)));
            var entry = new Entry(cluster, Context.ActorOf(UpstreamClusterActor.Props(cluster, _logs), ActorNames.Unique("cluster-" + config.Name)));
            created.Add(entry);
            next.Add(config.Name, entry);
        }
        _pending = new Pending(prepare.Version, next.ToImmutable(), created);
        _stats.WarmingClusters.Set(created.Count);
        var clusters = next.ToImmutable().ToImmutableDictionary(kv => kv.Key, kv => kv.Value.Cluster, StringComparer.Ordinal);
        // Like Envoy's cluster warming: listeners of this version take traffic once their new clusters have hosts.
        var warmed = Task.WhenAll(created.Select(e => e.Cluster.Initialized.Task));
        var stats = _stats;
        Task.WhenAny(warmed, Task.Delay(_warmingTimeout))
            .ContinueWith(_ =>
            {
                stats.WarmingClusters.Set(0);
                return new ClusterManagerProtocol.Prepared(prepare.Version, clusters);
            }, TaskContinuationOptions.ExecuteSynchronously)
            .PipeTo(Sender);
    }

    private void OnCommit(ClusterManagerProtocol.Commit commit)
    {
        if (_pending is not { } pending || pending.Version != commit.Version)
        {
            Sender.Tell(new ClusterManagerProtocol.Committed(commit.Version));
            return;
        }
        _pending = null;
        foreach (var (name, old) in _current)
        {
            if (!pending.Next.TryGetValue(name, out var now))
            {
                _stats.ClusterRemoved.Inc();
                Context.Stop(old.Actor);
                RemoveScope(name);
                _log.Info("cluster {0} removed (version {1})", name, commit.Version);
            }
            else if (!ReferenceEquals(now, old))
            {
                _stats.ClusterModified.Inc();
                Context.Stop(old.Actor);
                _log.Info("cluster {0} modified (version {1})", name, commit.Version);
            }
        }
        foreach (var name in pending.Next.Keys.Where(n => !_current.ContainsKey(n)))
        {
            _stats.ClusterAdded.Inc();
            _log.Info("cluster {0} added (version {1})", name, commit.Version);
        }
        _current = pending.Next;
        _stats.ActiveClusters.Set(_current.Count);
        Sender.Tell(new ClusterManagerProtocol.Committed(commit.Version));
    }

    private void OnAbort(ClusterManagerProtocol.Abort abort)
    {
        if (_pending?.Version == abort.Version)
        {
            DiscardPending();
        }
    }

    private void DiscardPending()
    {
        if (_pending is null)
        {
            return;
        }
        foreach (var entry in _pending.Created)
        {
            Context.Stop(entry.Actor);
        }
        foreach (var name in _scopes.Keys.Where(n => !_current.ContainsKey(n)).ToList())
        {
            RemoveScope(name);
        }
        _pending = null;
        _stats.WarmingClusters.Set(0);
    }

    /// <summary>
    /// Takes the name's stats out of <c>/stats</c> now, not when the scope actor gets round to stopping, so the same
    /// name added back by the next version starts a scope of its own.
    /// </summary>
    private void RemoveScope(string name)
    {
        if (_scopes.Remove(name, out var scope))
        {
            _store.Remove(UpstreamClusterActor.ScopePrefix(name));
            Context.Stop(scope);
        }
    }
}
