using ActorMesh.Listeners;
using ActorMesh.Upstream;
using Akka.Actor;
using Akka.Event;

namespace ActorMesh.Hosting;

/// <summary>
/// Moves the node from one config version to the next, one version at a time: the <see cref="ClusterManager"/>
/// prepares (and warms) the version's clusters, the <see cref="ListenerManager"/> binds and swaps its listeners, and
/// only then are the clusters it no longer names retired. A version that fails on the way is undone and NACKed; the
/// node keeps serving its last good version. This is the control path: it may wait, the request path never does.
/// </summary>
public sealed class ConfigUpdateActor : ReceiveActor
{
    private readonly IActorRef _clusters;
    private readonly IActorRef _listeners;
    private readonly ServedConfig _served;
    private readonly ListenerManagerStats _stats;
    private readonly ServerState _server;
    private readonly TimeSpan _stepTimeout;
    private readonly ILoggingAdapter _log = Context.GetLogger();

    /// <param name="stepTimeout">The longest the cluster or listener step may take (warming or binding, plus margin).</param>
    public ConfigUpdateActor(IActorRef clusters, IActorRef listeners, ServedConfig served, ListenerManagerStats stats, ServerState server, TimeSpan stepTimeout)
    {
        _clusters = clusters;
        _listeners = listeners;
        _served = served;
        _stats = stats;
        _server = server;
        _stepTimeout = stepTimeout;

        // ReceiveAsync holds the mailbox while a version is applied, so versions apply strictly one after another.
        ReceiveAsync<ConfigUpdateProtocol.ApplyVersion>(async apply =>
        {
            var replyTo = Sender;
            replyTo.Tell(await ApplyAsync(apply));
        });
        Receive<ConfigUpdateProtocol.RejectVersion>(r =>
        {
            _stats.LdsUpdateAttempt.Inc();
            Sender.Tell(Reject(r.Version, r.Source, r.Reason));
        });
        Receive<ConfigUpdateProtocol.GetStatus>(_ => Sender.Tell(_served.Status));
    }

    public static Props Props(IActorRef clusters, IActorRef listeners, ServedConfig served, ListenerManagerStats stats, ServerState server, TimeSpan stepTimeout) =>
        Akka.Actor.Props.Create(() => new ConfigUpdateActor(clusters, listeners, served, stats, server, stepTimeout));

    private async Task<object> ApplyAsync(ConfigUpdateProtocol.ApplyVersion apply)
    {
        var current = _served.Current;
        var version = apply.Version ?? current.Version + 1;
        _stats.LdsUpdateAttempt.Inc();
        if (version <= current.Version)
        {
            return Reject(version, apply.Source, $"version {version} is not newer than the applied version {current.Version}");
        }
        if (current.Version > 0 && apply.Config.Admin != current.Config.Admin)
        {
            // The admin listener is the node's own control channel, bound once from the bootstrap, as in Envoy.
            return Reject(version, apply.Source, "the admin block cannot change while the node runs; restart the node to apply it");
        }
        if (current.Version > 0 && (apply.Config.StatsConfig != current.Config.StatsConfig || apply.Config.StatsFlushInterval != current.Config.StatsFlushInterval))
        {
            // Every scope was made with the node's stats settings (tags, matcher, buckets): they are bootstrap-only, as in Envoy.
            return Reject(version, apply.Source, "stats_config and stats_flush_interval cannot change while the node runs; restart the node to apply them");
        }
        if (_server.Draining)
        {
            return Reject(version, apply.Source, "the node is draining");
        }
        var resources = apply.Config.StaticResources;
        ClusterManagerProtocol.Prepared prepared;
        try
        {
            prepared = await _clusters.Ask<ClusterManagerProtocol.Prepared>(new ClusterManagerProtocol.Prepare(version, resources.Clusters), _stepTimeout);
        }
        catch (AskTimeoutException)
        {
            _clusters.Tell(new ClusterManagerProtocol.Abort(version));
            return Reject(version, apply.Source, "clusters were not ready in time");
        }
        object outcome;
        try
        {
            outcome = await _listeners.Ask(new ListenerManagerProtocol.Apply(version, resources.Listeners, prepared.Clusters), _stepTimeout);
        }
        catch (AskTimeoutException)
        {
            outcome = new ListenerManagerProtocol.Rejected(version, "listeners did not answer in time");
        }
        if (outcome is not ListenerManagerProtocol.Applied applied)
        {
            _clusters.Tell(new ClusterManagerProtocol.Abort(version));
            return Reject(version, apply.Source, (outcome as ListenerManagerProtocol.Rejected)?.Reason ?? "listeners refused the version");
        }
        // Every listener now holds a snapshot of this version: clusters only older snapshots name can go. The version
        // is served from here on, even if the retirement is slow to confirm.
        try
        {
            await _clusters.Ask<ClusterManagerProtocol.Committed>(new ClusterManagerProtocol.Commit(version), _stepTimeout);
        }
        catch (AskTimeoutException)
        {
            _log.Warning("config version {0}: the cluster manager did not confirm retiring old clusters in time", version);
        }
        var status = new ConfigStatus(version, apply.Source, DateTimeOffset.UtcNow, LastNack: null);
        _served.Publish(new ServedVersion(version, apply.Config, prepared.Clusters, applied.Addresses), status);
        _stats.LdsUpdateSuccess.Inc();
        _stats.LdsVersion.Set(version);
        _log.Info("config version {0} ({1}) applied", version, apply.Source);
        return new ConfigUpdateProtocol.VersionApplied(status);
    }

    private ConfigUpdateProtocol.VersionRejected Reject(long version, string source, string reason)
    {
        _stats.LdsUpdateRejected.Inc();
        var nack = new ConfigNack(version, source, reason, DateTimeOffset.UtcNow);
        var status = _served.Status with { LastNack = nack };
        _served.Publish(status);
        _log.Warning("config version {0} ({1}) rejected, still serving version {2}: {3}", version, source, status.Version, reason);
        return new ConfigUpdateProtocol.VersionRejected(nack, status);
    }
}
