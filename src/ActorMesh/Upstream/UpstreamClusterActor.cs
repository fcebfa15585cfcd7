using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using ActorMesh.AccessLog;
using ActorMesh.Config;
using Akka.Actor;
using Akka.Event;

namespace ActorMesh.Upstream;

public static class UpstreamClusterProtocol
{
    /// <summary>Re-resolve a STRICT_DNS or LOGICAL_DNS cluster's names (every <c>dns_refresh_rate</c>).</summary>
    public sealed record Refresh
    {
        public static readonly Refresh Instance = new();
    }

    /// <summary>The addresses discovery found, in endpoint order; a name that did not resolve contributes none.</summary>
    public sealed record Resolved(IReadOnlyList<(EndpointConfig Endpoint, IPEndPoint Address)> Endpoints);

    /// <summary>A host's outlier monitor crossed a consecutive-error threshold (sent from the request path).</summary>
    public sealed record OutlierThreshold(UpstreamHost Host, OutlierEjectionType Type);

    /// <summary>The outlier detector's <c>interval</c>.</summary>
    public sealed record OutlierTick
    {
        public static readonly OutlierTick Instance = new();
    }

    /// <summary>Close pooled connections idle past <c>idle_timeout</c>.</summary>
    public sealed record SweepIdle
    {
        public static readonly SweepIdle Instance = new();
    }
}

/// <summary>
/// Owns one upstream cluster: discovery (STATIC addresses; STRICT_DNS every address; LOGICAL_DNS the first address,
/// both re-resolved on a timer), the host set and its pools, the outlier detector, the health checker (a child), the
/// idle-connection sweep and the cluster's stats scope. Every membership or health change publishes a new balancer
/// snapshot. Hosts that survive a refresh keep their pooled connections and health.
/// </summary>
public sealed class UpstreamClusterActor : ReceiveActor, IWithTimers
{
    /// <summary>Bounds on how often the pool is swept for idle connections (a quarter of <c>idle_timeout</c>).</summary>
    private static readonly TimeSpan MinSweep = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan MaxSweep = TimeSpan.FromSeconds(5);

    private readonly UpstreamCluster _cluster;
    private readonly AccessLogManager? _logs;
    private readonly OutlierDetector? _outlierDetector;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private IActorRef? _healthChecker;

    /// <remarks>
    /// The cluster's stats scope is not this actor's: the <see cref="ClusterManager"/> keeps it per cluster name, so a
    /// modified cluster (a new actor) keeps counting where the old one left off.
    /// </remarks>
    /// <param name="logs">Opens a health check's <c>event_log_path</c>; without it no events are written.</param>
    public UpstreamClusterActor(UpstreamCluster cluster, AccessLogManager? logs = null)
    {
        _cluster = cluster;
        _logs = logs;
        if (cluster.Config.OutlierDetection is { } outlier)
        {
            _outlierDetector = new OutlierDetector(outlier, cluster.Stats.Scope);
            var self = Self;
            cluster.SetOutlierSink((host, type) => self.Tell(new UpstreamClusterProtocol.OutlierThreshold(host, type)));
        }

        Receive<UpstreamClusterProtocol.Refresh>(_ => Resolve());
        Receive<UpstreamClusterProtocol.Resolved>(Apply);
        Receive<UpstreamClusterProtocol.OutlierThreshold>(t =>
        {
            if (_outlierDetector!.OnConsecutiveErrors(t.Host, t.Type, _cluster.Membership.Hosts))
            {
                _cluster.Rebuild();
            }
        });
        Receive<UpstreamClusterProtocol.OutlierTick>(_ =>
        {
            if (_outlierDetector!.OnInterval(_cluster.Membership.Hosts))
            {
                _cluster.Rebuild();
            }
        });
        Receive<UpstreamClusterProtocol.SweepIdle>(_ => SweepIdle());
        Receive<HealthCheckerProtocol.HealthChanged>(_ => _cluster.Rebuild());
        Receive<HealthCheckerProtocol.FirstRoundComplete>(_ => _cluster.Initialized.TrySetResult());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static string ScopePrefix(string clusterName) => $"cluster.{clusterName}.";

    public static Props Props(UpstreamCluster cluster, AccessLogManager? logs = null) =>
        Akka.Actor.Props.Create(() => new UpstreamClusterActor(cluster, logs));

    protected override void PreStart()
    {
        if (_cluster.Config.HealthChecks.Count > 0)
        {
            var check = _cluster.Config.HealthChecks[0];
            var eventLog = check.EventLogPath is { } path ? _logs?.GetOrCreateFile(AccessLogManager.DestinationOfPath(path)) : null;
            _healthChecker = Context.ActorOf(HealthCheckerActor.Props(check, _cluster, eventLog), "health-checker");
        }
        Resolve();
        if (_cluster.Config.Type != DiscoveryType.Static)
        {
            Timers.StartPeriodicTimer("dns", UpstreamClusterProtocol.Refresh.Instance, _cluster.Config.DnsRefreshRate);
        }
        if (_outlierDetector is not null)
        {
            Timers.StartPeriodicTimer("outlier", UpstreamClusterProtocol.OutlierTick.Instance, _outlierDetector.Config.Interval);
        }
        var idle = _cluster.Config.ConnectionPool.IdleTimeout;
        if (idle != Timeout.InfiniteTimeSpan)
        {
            var period = TimeSpan.FromTicks(Math.Clamp(idle.Ticks / 4, MinSweep.Ticks, MaxSweep.Ticks));
            Timers.StartPeriodicTimer("idle", UpstreamClusterProtocol.SweepIdle.Instance, period);
        }
    }

    protected override void PostStop()
    {
        foreach (var host in _cluster.Membership.Hosts)
        {
            host.Drain();
        }
    }

    private void SweepIdle()
    {
        var idleSince = Stopwatch.GetTimestamp() - (long)(_cluster.Config.ConnectionPool.IdleTimeout.TotalSeconds * Stopwatch.Frequency);
        foreach (var host in _cluster.Membership.Hosts)
        {
            var closed = host.CloseIdleSince(idleSince);
            if (closed > 0)
            {
                _cluster.OverflowStats.UpstreamCxIdleTimeout.Add(closed);
            }
        }
    }

    private void Resolve()
    {
        var endpoints = _cluster.Config.EffectiveEndpoints();
        if (_cluster.Config.Type == DiscoveryType.Static)
        {
            Self.Tell(new UpstreamClusterProtocol.Resolved(
                endpoints.Select(e => (e, new IPEndPoint(IPAddress.Parse(e.Address.Address), e.Address.Port))).ToArray()));
            return;
        }
        ResolveAllAsync(endpoints, _cluster.Config.Type == DiscoveryType.LogicalDns).PipeTo(Self);
    }

    private async Task<UpstreamClusterProtocol.Resolved> ResolveAllAsync(IReadOnlyList<EndpointConfig> endpoints, bool firstOnly)
    {
        var found = new List<(EndpointConfig, IPEndPoint)>();
        foreach (var endpoint in endpoints)
        {
            var addresses = await ResolveAsync(endpoint.Address.Address);
            // LOGICAL_DNS: one logical host, the first address of the answer; new connections follow it as it changes.
            foreach (var address in firstOnly ? addresses.Take(1) : addresses)
            {
                found.Add((endpoint, new IPEndPoint(address, endpoint.Address.Port)));
            }
        }
        return new UpstreamClusterProtocol.Resolved(found);
    }

    /// <summary>
    /// Envoy's <c>dns_lookup_family</c>; ActorMesh's default is V4_PREFERRED, so "localhost" does not send half the
    /// requests to a ::1 nobody listens on.
    /// </summary>
    private async Task<IReadOnlyList<IPAddress>> ResolveAsync(string name)
    {
        if (IPAddress.TryParse(name, out var literal))
        {
            return new[] { literal };
        }
        try
        {
            var addresses = await Dns.GetHostAddressesAsync(name);
            var v4 = addresses.Where(a => a.AddressFamily == AddressFamily.InterNetwork).ToArray();
            var v6 = addresses.Where(a => a.AddressFamily == AddressFamily.InterNetworkV6).ToArray();
            return _cluster.Config.DnsLookupFamily switch
            {
                DnsLookupFamily.V4Only => v4,
                DnsLookupFamily.V6Only => v6,
                DnsLookupFamily.Auto => v6.Length > 0 ? v6 : v4,
                DnsLookupFamily.All => addresses,
                _ => v4.Length > 0 ? v4 : v6,
            };
        }
        catch (SocketException e)
        {
            _log.Warning("cluster {0}: DNS resolution of {1} failed: {2}", _cluster.Name, name, e.Message);
            return Array.Empty<IPAddress>();
        }
    }

    private void Apply(UpstreamClusterProtocol.Resolved resolved)
    {
        var current = _cluster.Membership.Hosts.ToDictionary(h => h.Endpoint);
        var next = new List<UpstreamHost>(resolved.Endpoints.Count);
        foreach (var (endpoint, address) in resolved.Endpoints)
        {
            if (next.Any(h => h.Endpoint.Equals(address)))
            {
                continue;
            }
            next.Add(current.Remove(address, out var kept)
                ? kept
                : new UpstreamHost(endpoint, endpoint.Address.Address, address, _cluster));
        }
        _cluster.Publish(new ClusterMembership(next));
        foreach (var gone in current.Values)
        {
            _outlierDetector?.OnHostRemoved(gone);
            gone.Drain();
        }
        if (_healthChecker is not null)
        {
            _healthChecker.Tell(new HealthCheckerProtocol.Hosts(next));
        }
        else
        {
            _cluster.Initialized.TrySetResult();
        }
    }
}
