using System.Collections.Immutable;
using System.Net;
using ActorMesh.Config;
using ActorMesh.Hosting;
using ActorMesh.Stats;
using ActorMesh.Upstream;
using Akka.Actor;
using Akka.Event;

namespace ActorMesh.Listeners;

/// <summary>What a <see cref="ListenerManager"/> needs beyond the config: the socket edge and its deadlines.</summary>
/// <param name="BindTimeout">How long a version waits for its new listeners to bind.</param>
/// <param name="DrainTime">How long a removed listener's connections get to finish (Envoy's <c>--drain-time-s</c>).</param>
public sealed record ListenerManagerSettings(SocketEdge Edge, TimeSpan BindTimeout, TimeSpan DrainTime);

/// <summary>
/// Envoy's ListenerManager: owns the node's <see cref="ListenerActor"/>s and moves them from one config version to
/// the next. New listeners are bound first, so a version whose port is taken is refused with nothing changed; then
/// changed listeners swap in a new connection manager snapshot (open connections keep theirs), and removed ones drain
/// and unbind. A listener whose address changes is removed and added; an identical one is not touched.
/// </summary>
public sealed class ListenerManager : ReceiveActor, IWithUnboundedStash, IWithTimers
{
    private readonly StatsStore _store;
    private readonly ListenerPipelineFactory _pipelines;
    private readonly ListenerManagerSettings _settings;
    private readonly ListenerManagerStats _stats;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<string, IActorRef> _connectionManagerScopes = new(StringComparer.Ordinal);
    private ImmutableList<Active> _current = ImmutableList<Active>.Empty;
    private Applying? _applying;

    /// <summary>A served listener: its config, actor, where it is bound, and the snapshot new connections get.</summary>
    private sealed record Active(ListenerConfig Config, IActorRef Actor, EndPoint Address, ListenerPipeline Pipeline, IReadOnlyDictionary<string, UpstreamCluster> Clusters);

    /// <summary>A version waiting for its new listeners to bind.</summary>
    private sealed record Applying(ListenerManagerProtocol.Apply Request, IActorRef ReplyTo, ListenerPlan Plan, Dictionary<string, (IActorRef Actor, ListenerPipeline Pipeline)> Added)
    {
        public Dictionary<string, EndPoint> Bound { get; } = new(StringComparer.Ordinal);
        public List<string> Failures { get; } = [];
    }

    private sealed record BindTimedOut(long Version);

    private sealed record Retired(IActorRef Listener, string Name);

    public ListenerManager(StatsStore store, ListenerManagerStats stats, ListenerPipelineFactory pipelines, ListenerManagerSettings settings)
    {
        _store = store;
        _stats = stats;
        _pipelines = pipelines;
        _settings = settings;
        Context.ActorOf(StatsScopeActor.Props(store, ListenerManagerStats.ScopePrefix), "stats");
        Become(Serving);
    }

    public IStash Stash { get; set; } = null!;

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(StatsStore store, ListenerManagerStats stats, ListenerPipelineFactory pipelines, ListenerManagerSettings settings) =>
        Akka.Actor.Props.Create(() => new ListenerManager(store, stats, pipelines, settings));

    private void Serving()
    {
        Receive<ListenerManagerProtocol.Apply>(OnApply);
        Receive<Retired>(OnRetired);
        Receive<ListenerManagerProtocol.StopListeners>(_ => _current.ForEach(l => l.Actor.Tell(ListenerProtocol.Unbind.Instance)));
        Receive<ListenerManagerProtocol.Unbind>(OnUnbind);
        Receive<ListenerManagerProtocol.Drain>(OnDrain);
    }

    private void Binding()
    {
        Receive<ListenerProtocol.Bound>(OnBound);
        Receive<ListenerProtocol.BindFailed>(OnBindFailed);
        Receive<BindTimedOut>(t =>
        {
            if (_applying?.Request.Version == t.Version)
            {
                _applying.Failures.Add("listeners did not bind in time");
                Reject();
            }
        });
        Receive<Retired>(OnRetired);
        ReceiveAny(_ => Stash.Stash());
    }

    /// <summary>After the node's drain or unbind: listeners stay as they are until the node stops.</summary>
    private void Stopped()
    {
        Receive<ListenerManagerProtocol.Apply>(apply => Sender.Tell(new ListenerManagerProtocol.Rejected(apply.Version, "the node is draining")));
        Receive<Retired>(OnRetired);
        Receive<ListenerManagerProtocol.StopListeners>(_ => { });
        Receive<ListenerManagerProtocol.Unbind>(OnUnbind);
        Receive<ListenerManagerProtocol.Drain>(OnDrain);
    }

    private void OnApply(ListenerManagerProtocol.Apply apply)
    {
        var plan = ListenerPlan.Create(
            _current.Select(a => new ListenerPlan.Served(a.Config, a.Clusters)).ToList(), apply.Listeners, apply.Clusters);
        var added = new Dictionary<string, (IActorRef, ListenerPipeline)>(StringComparer.Ordinal);
        foreach (var config in plan.Added)
        {
            var pipeline = BuildPipeline(config, apply.Clusters);
            var actor = Context.ActorOf(
                ListenerActor.Props(config.Name, config.Address, pipeline.Pipeline, new ListenerSettings { Edge = _settings.Edge, BufferLimitBytes = config.PerConnectionBufferLimitBytes }, _store, Self),
                ActorNames.Unique("listener-" + config.Name));
            added.Add(config.Name, (actor, pipeline));
        }
        _applying = new Applying(apply, Sender, plan, added);
        if (added.Count == 0)
        {
            Commit();
            return;
        }
        Timers.StartSingleTimer("bind", new BindTimedOut(apply.Version), _settings.BindTimeout);
        Become(Binding);
    }

    private void OnBound(ListenerProtocol.Bound bound)
    {
        if (_applying is not { } applying || !applying.Added.TryGetValue(bound.Name, out var added) || !added.Actor.Equals(Sender))
        {
            return;
        }
        applying.Bound[bound.Name] = bound.LocalAddress;
        CheckBinds();
    }

    private void OnBindFailed(ListenerProtocol.BindFailed failed)
    {
        if (_applying is not { } applying || !applying.Added.TryGetValue(failed.Name, out var added) || !added.Actor.Equals(Sender))
        {
            return;
        }
        applying.Failures.Add($"listener {failed.Name}: {failed.Reason}");
        _stats.ListenerCreateFailure.Inc();
        CheckBinds();
    }

    private void CheckBinds()
    {
        var applying = _applying!;
        if (applying.Bound.Count + applying.Failures.Count < applying.Added.Count)
        {
            return;
        }
        Timers.Cancel("bind");
        if (applying.Failures.Count > 0)
        {
            Reject();
        }
        else
        {
            Commit();
        }
    }

    /// <summary>Unbinds what this version bound; what was served before is untouched.</summary>
    private void Reject()
    {
        var applying = _applying!;
        _applying = null;
        foreach (var (actor, pipeline) in applying.Added.Values)
        {
            Context.Stop(actor);
            StopExporters(pipeline);
        }
        PruneConnectionManagerScopes();
        _log.Warning("config version {0} rejected: {1}", applying.Request.Version, string.Join("; ", applying.Failures));
        applying.ReplyTo.Tell(new ListenerManagerProtocol.Rejected(applying.Request.Version, string.Join("; ", applying.Failures)));
        Become(Serving);
        Stash.UnstashAll();
    }

    private void Commit()
    {
        var applying = _applying!;
        _applying = null;
        var request = applying.Request;
        var plan = applying.Plan;
        var previous = _current.ToDictionary(a => a.Config.Name, StringComparer.Ordinal);
        var next = ImmutableList.CreateBuilder<Active>();
        foreach (var config in request.Listeners)
        {
            if (applying.Added.TryGetValue(config.Name, out var added))
            {
                _stats.ListenerAdded.Inc();
                _stats.ListenerCreateSuccess.Inc();
                next.Add(new Active(config, added.Actor, applying.Bound[config.Name], added.Pipeline, request.Clusters));
                continue;
            }
            var old = previous[config.Name];
            if (plan.Modified.Contains(config.Name))
            {
                var pipeline = BuildPipeline(config, request.Clusters);
                old.Actor.Tell(new ListenerProtocol.UpdatePipeline(pipeline.Pipeline));
                StopExporters(old.Pipeline);
                _stats.ListenerModified.Inc();
                _log.Info("listener {0} modified (version {1}): new connections get the new snapshot", config.Name, request.Version);
                next.Add(old with { Config = config, Pipeline = pipeline, Clusters = request.Clusters });
            }
            else
            {
                next.Add(old);
            }
        }
        foreach (var gone in plan.Removed)
        {
            var old = previous[gone];
            Drain(old);
        }
        _current = next.ToImmutable();
        PruneConnectionManagerScopes();
        _stats.TotalListenersActive.Set(_current.Count);
        applying.ReplyTo.Tell(new ListenerManagerProtocol.Applied(request.Version,
            _current.Select(a => KeyValuePair.Create(a.Config.Name, a.Address)).ToList()));
        Become(Serving);
        Stash.UnstashAll();
    }

    /// <summary>
    /// A removed listener stops accepting and drains: a request in flight is answered with <c>connection: close</c>,
    /// an idle keep-alive connection stays open for its connection manager's <c>drain_timeout</c> in case a request is
    /// on its way; then the socket is released and the actor stops.
    /// </summary>
    private void Drain(Active listener)
    {
        _stats.ListenerRemoved.Inc();
        _stats.TotalListenersDraining.Inc();
        _log.Info("listener {0} removed: draining", listener.Config.Name);
        var drain = DrainOf(listener.Config, _settings.DrainTime);
        var name = listener.Config.Name;
        var actor = listener.Actor;
        StopExporters(listener.Pipeline);
        actor.Ask<ListenerProtocol.Drained>(drain, _settings.DrainTime)
            .ContinueWith(_ => new Retired(actor, name), TaskContinuationOptions.ExecuteSynchronously)
            .PipeTo(Self);
    }

    /// <summary>A listener's drain: idle keep-alive connections wait its connection manager's <c>drain_timeout</c>, at most <paramref name="cap"/>.</summary>
    private static ListenerProtocol.Drain DrainOf(ListenerConfig config, TimeSpan cap)
    {
        var grace = ListenerPipelineFactory.ConnectionManagerOf(config)?.Timeouts.Drain ?? TimeSpan.Zero;
        return new ListenerProtocol.Drain { IdleGrace = grace < cap ? grace : cap };
    }

    private void OnRetired(Retired retired)
    {
        _stats.TotalListenersDraining.Dec();
        Context.Stop(retired.Listener);
        _log.Info("listener {0} drained and unbound", retired.Name);
    }

    private void OnUnbind(ListenerManagerProtocol.Unbind _)
    {
        Become(Stopped);
        var replyTo = Sender;
        Task.WhenAll(_current.Select(l => l.Actor.Ask<ListenerProtocol.Unbound>(ListenerProtocol.Unbind.Instance, TimeSpan.FromSeconds(5))))
            .ContinueWith(_ => ListenerManagerProtocol.Unbound.Instance, TaskContinuationOptions.ExecuteSynchronously)
            .PipeTo(replyTo);
    }

    private void OnDrain(ListenerManagerProtocol.Drain drain)
    {
        Become(Stopped);
        var replyTo = Sender;
        // The node's drain treats every listener as a removed one: a request already on its way over an idle
        // keep-alive connection is still answered (with connection: close). A listener already gone (or one that does
        // not answer in time) has nothing left to drain.
        Task.WhenAll(_current.Select(l => l.Actor.Ask<ListenerProtocol.Drained>(DrainOf(l.Config, drain.Timeout), drain.Timeout)))
            .ContinueWith(_ => ListenerManagerProtocol.Drained.Instance, TaskContinuationOptions.ExecuteSynchronously)
            .PipeTo(replyTo);
    }

    private ListenerPipeline BuildPipeline(ListenerConfig config, IReadOnlyDictionary<string, UpstreamCluster> clusters)
    {
        if (ListenerPipelineFactory.ConnectionManagerOf(config) is { } hcm)
        {
            var prefix = HttpConnectionManager.ScopePrefix(hcm.StatPrefix);
            if (!_connectionManagerScopes.ContainsKey(prefix))
            {
                _connectionManagerScopes.Add(prefix, Context.ActorOf(StatsScopeActor.Props(_store, prefix), ActorNames.Unique("stats-http-" + hcm.StatPrefix)));
            }
        }
        var pipeline = _pipelines.Build(config, clusters);
        foreach (var prefix in pipeline.FilterStatsPrefixes.Where(p => !_connectionManagerScopes.ContainsKey(p)))
        {
            _connectionManagerScopes.Add(prefix, Context.ActorOf(StatsScopeActor.Props(_store, prefix), ActorNames.Unique("stats-filter")));
        }
        return pipeline;
    }

    /// <summary>
    /// Connection manager stats belong to a <c>stat_prefix</c>, which listeners and versions share (and so do the
    /// scopes their HTTP filters own): a prefix no served listener (nor one being bound) uses any more leaves
    /// <c>/stats</c> now.
    /// </summary>
    private void PruneConnectionManagerScopes()
    {
        var pipelines = _current.Select(a => a.Pipeline).Concat(_applying?.Added.Values.Select(a => a.Pipeline) ?? []).ToList();
        var used = pipelines.Select(p => p.StatsPrefix)
            .Concat(pipelines.SelectMany(p => p.FilterStatsPrefixes))
            .OfType<string>()
            .ToHashSet(StringComparer.Ordinal);
        foreach (var prefix in _connectionManagerScopes.Keys.Where(p => !used.Contains(p)).ToList())
        {
            _store.Remove(prefix);
            Context.Stop(_connectionManagerScopes[prefix]);
            _connectionManagerScopes.Remove(prefix);
        }
    }

    private static void StopExporters(ListenerPipeline pipeline)
    {
        foreach (var exporter in pipeline.Exporters)
        {
            exporter.Tell(PoisonPill.Instance);
        }
    }
}
