using ActorMesh.AccessLog;
using ActorMesh.Config;
using ActorMesh.Stats;
using Akka.Actor;

namespace ActorMesh.Upstream;

public static class HealthCheckerProtocol
{
    /// <summary>The hosts to check now (sent by the cluster actor on every membership change).</summary>
    public sealed record Hosts(IReadOnlyList<UpstreamHost> Members);

    /// <summary>Every host present at start has been checked once: the cluster may serve.</summary>
    public sealed record FirstRoundComplete
    {
        public static readonly FirstRoundComplete Instance = new();
    }

    /// <summary>A host's health flags changed: the cluster actor publishes a new balancer snapshot.</summary>
    public sealed record HealthChanged
    {
        public static readonly HealthChanged Instance = new();
    }

    internal sealed record Check(UpstreamHost Host);

    internal sealed record Checked(UpstreamHost Host, HealthCheckOutcome Outcome);
}

/// <summary>
/// Envoy's HealthChecker for one cluster (a child of its cluster actor): one check per host at a time over a real
/// socket, <c>healthy_threshold</c> successes or <c>unhealthy_threshold</c> network failures in a row to change a
/// host's health (an unexpected HTTP status ejects at once, and the first result of a new host decides at once, as
/// in Envoy), the next check after <c>interval</c>, <c>unhealthy_interval</c>, an edge interval or
/// <c>no_traffic_interval</c>, plus jitter. With an <c>event_log_path</c> its events go to that file.
/// </summary>
public sealed class HealthCheckerActor : ReceiveActor, IWithTimers
{
    private readonly HealthCheckConfig _config;
    private readonly UpstreamCluster _cluster;
    private readonly Dictionary<UpstreamHost, HostState> _hosts = new(ReferenceEqualityComparer.Instance);
    private readonly Counter _attempt;
    private readonly Counter _success;
    private readonly Counter _failure;
    private readonly Counter _networkFailure;
    private readonly Gauge _healthy;
    private readonly HealthCheckEventLogger? _events;
    private bool _firstRoundReported;

    /// <param name="eventLog">Where the events go (the health check's <c>event_log_path</c>); null logs none.</param>
    public HealthCheckerActor(HealthCheckConfig config, UpstreamCluster cluster, AccessLogFile? eventLog = null)
    {
        _config = config;
        _cluster = cluster;
        _events = eventLog is null ? null : new HealthCheckEventLogger(eventLog, config.Kind, cluster.Name);
        var scope = cluster.Stats.Scope;
        _attempt = scope.Counter("health_check.attempt");
        _success = scope.Counter("health_check.success");
        _failure = scope.Counter("health_check.failure");
        _networkFailure = scope.Counter("health_check.network_failure");
        // Envoy's: passive failures (immediate health check fail) and cluster verification are not part of ActorMesh.
        scope.Counter("health_check.passive_failure");
        scope.Counter("health_check.verify_cluster");
        _healthy = scope.Gauge("health_check.healthy");
        scope.Gauge("health_check.degraded");

        Receive<HealthCheckerProtocol.Hosts>(OnHosts);
        Receive<HealthCheckerProtocol.Check>(check =>
        {
            if (_hosts.ContainsKey(check.Host))
            {
                var host = check.Host;
                _attempt.Inc();
                HealthCheckProbe.RunAsync(_config, host.HealthCheckEndpoint, _cluster.Name)
                    .PipeTo(Self,
                        success: outcome => new HealthCheckerProtocol.Checked(host, outcome),
                        // Anything unexpected still counts as a failed check, so the host's check loop goes on.
                        failure: _ => new HealthCheckerProtocol.Checked(host, HealthCheckOutcome.NetworkFailure));
            }
        });
        Receive<HealthCheckerProtocol.Checked>(OnChecked);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(HealthCheckConfig config, UpstreamCluster cluster, AccessLogFile? eventLog = null) =>
        Akka.Actor.Props.Create(() => new HealthCheckerActor(config, cluster, eventLog));

    private void OnHosts(HealthCheckerProtocol.Hosts hosts)
    {
        var current = new HashSet<UpstreamHost>(hosts.Members, ReferenceEqualityComparer.Instance);
        foreach (var gone in _hosts.Keys.Where(h => !current.Contains(h)).ToArray())
        {
            _hosts.Remove(gone);
            Timers.Cancel(gone);
        }
        foreach (var host in hosts.Members.Where(h => !_hosts.ContainsKey(h)))
        {
            _hosts.Add(host, new HostState());
            Timers.StartSingleTimer(host, new HealthCheckerProtocol.Check(host), Jitter(_config.InitialJitter));
        }
        PublishHealthy();
        ReportFirstRound();
    }

    private void OnChecked(HealthCheckerProtocol.Checked result)
    {
        var host = result.Host;
        if (!_hosts.TryGetValue(host, out var state))
        {
            return;
        }
        var pending = host.HasHealthFlag(HostHealthFlags.PendingActiveHc);
        var wasHealthy = !host.HasHealthFlag(HostHealthFlags.FailedActiveHc);
        var firstCheck = state.FirstCheck;
        state.FirstCheck = false;
        var edge = false;
        if (result.Outcome == HealthCheckOutcome.Success)
        {
            _success.Inc();
            state.Failures = 0;
            state.Successes++;
            if (!wasHealthy && (pending || state.Successes >= _config.HealthyThreshold))
            {
                host.SetHealthFlag(HostHealthFlags.FailedActiveHc, false);
                edge = true;
                _events?.AddHealthy(host, firstCheck);
            }
            if (_config.AlwaysLogHealthCheckSuccess)
            {
                _events?.Success(host);
            }
        }
        else
        {
            var type = result.Outcome == HealthCheckOutcome.NetworkFailure ? HealthCheckFailureType.Network : HealthCheckFailureType.Active;
            _failure.Inc();
            if (type == HealthCheckFailureType.Network)
            {
                _networkFailure.Inc();
            }
            state.Successes = 0;
            state.Failures++;
            if (wasHealthy && (type != HealthCheckFailureType.Network || state.Failures >= _config.UnhealthyThreshold))
            {
                host.SetHealthFlag(HostHealthFlags.FailedActiveHc, true);
                edge = true;
                _events?.EjectUnhealthy(host, type);
            }
            if (firstCheck || _config.AlwaysLogHealthCheckFailures)
            {
                _events?.Failure(host, type, firstCheck);
            }
        }
        if (pending)
        {
            host.SetHealthFlag(HostHealthFlags.PendingActiveHc, false);
            edge = true;
        }
        if (edge)
        {
            PublishHealthy();
            Context.Parent.Tell(HealthCheckerProtocol.HealthChanged.Instance);
        }
        ReportFirstRound();
        Timers.StartSingleTimer(host, new HealthCheckerProtocol.Check(host), NextInterval(host, edge));
    }

    /// <summary>Envoy's HealthCheckerImplBase::interval with its jitter.</summary>
    private TimeSpan NextInterval(UpstreamHost host, bool edge)
    {
        var healthy = !host.HasHealthFlag(HostHealthFlags.FailedActiveHc);
        // "Traffic" as Envoy judges it: the cluster has ever opened an upstream connection.
        var interval = _cluster.Stats.UpstreamCxTotal.Value == 0
            ? (healthy ? _config.NoTrafficHealthyInterval : _config.NoTrafficInterval)
            : healthy
                ? (edge ? _config.HealthyEdgeInterval : _config.Interval)
                : (edge ? _config.UnhealthyEdgeInterval : _config.UnhealthyInterval);
        var percentJitter = _config.IntervalJitterPercent > 0
            ? Jitter(interval * (_config.IntervalJitterPercent / 100.0))
            : TimeSpan.Zero;
        return interval + Jitter(_config.IntervalJitter) + percentJitter;
    }

    private static TimeSpan Jitter(TimeSpan max) =>
        max > TimeSpan.Zero ? TimeSpan.FromTicks(Random.Shared.NextInt64(max.Ticks)) : TimeSpan.Zero;

    private void PublishHealthy() =>
        _healthy.Set(_hosts.Keys.Count(h => !h.HasHealthFlag(HostHealthFlags.FailedActiveHc)));

    private void ReportFirstRound()
    {
        if (!_firstRoundReported && _hosts.Keys.All(h => !h.HasHealthFlag(HostHealthFlags.PendingActiveHc)))
        {
            _firstRoundReported = true;
            Context.Parent.Tell(HealthCheckerProtocol.FirstRoundComplete.Instance);
        }
    }

    private sealed class HostState
    {
        public uint Successes { get; set; }
        public uint Failures { get; set; }

        /// <summary>No result has come back for the host yet (Envoy's <c>first_check_</c>).</summary>
        public bool FirstCheck { get; set; } = true;
    }
}
