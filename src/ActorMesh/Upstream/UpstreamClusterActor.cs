using System.Net;
using System.Net.Sockets;
using ActorMesh.Config;
using Akka.Actor;
using Akka.Event;

namespace ActorMesh.Upstream;

public static class UpstreamClusterProtocol
{
    /// <summary>Re-resolve a STRICT_DNS cluster's names (every <c>dns_refresh_rate</c>).</summary>
    public sealed record Refresh
    {
        public static readonly Refresh Instance = new();
    }

    /// <summary>The addresses discovery found, in endpoint order; a name that did not resolve contributes none.</summary>
    public sealed record Resolved(IReadOnlyList<(string Hostname, IPEndPoint Endpoint)> Endpoints);
}

/// <summary>
/// Owns one upstream cluster: discovery (STATIC addresses, or STRICT_DNS resolved at start and on a timer), the host
/// set and its pools. Hosts that survive a refresh keep their pooled connections.
/// </summary>
public sealed class UpstreamClusterActor : ReceiveActor, IWithTimers
{
    private readonly UpstreamCluster _cluster;
    private readonly ILoggingAdapter _log = Context.GetLogger();

    /// <remarks>
    /// The cluster's stats scope is not this actor's: the <see cref="ClusterManager"/> keeps it per cluster name, so a
    /// modified cluster (a new actor) keeps counting where the old one left off.
    /// </remarks>
    public UpstreamClusterActor(UpstreamCluster cluster)
    {
        _cluster = cluster;

        Receive<UpstreamClusterProtocol.Refresh>(_ => Resolve());
        Receive<UpstreamClusterProtocol.Resolved>(Apply);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static string ScopePrefix(string clusterName) => $"cluster.{clusterName}.";

    public static Props Props(UpstreamCluster cluster) =>
        Akka.Actor.Props.Create(() => new UpstreamClusterActor(cluster));

    protected override void PreStart()
    {
        Resolve();
        if (_cluster.Config.Type == DiscoveryType.StrictDns)
        {
            Timers.StartPeriodicTimer("dns", UpstreamClusterProtocol.Refresh.Instance, _cluster.Config.DnsRefreshRate);
        }
    }

    protected override void PostStop()
    {
        foreach (var host in _cluster.Membership.Hosts)
        {
            host.CloseIdle();
        }
    }

    private void Resolve()
    {
        var endpoints = _cluster.Config.Endpoints;
        if (_cluster.Config.Type == DiscoveryType.Static)
        {
            Self.Tell(new UpstreamClusterProtocol.Resolved(
                endpoints.Select(e => (e.Address, new IPEndPoint(IPAddress.Parse(e.Address), e.Port))).ToArray()));
            return;
        }
        ResolveAllAsync(endpoints).PipeTo(Self);
    }

    private async Task<UpstreamClusterProtocol.Resolved> ResolveAllAsync(EquatableArray<SocketAddressConfig> endpoints)
    {
        var found = new List<(string, IPEndPoint)>();
        foreach (var endpoint in endpoints)
        {
            foreach (var address in await ResolveAsync(endpoint.Address))
            {
                found.Add((endpoint.Address, new IPEndPoint(address, endpoint.Port)));
            }
        }
        return new UpstreamClusterProtocol.Resolved(found);
    }

    /// <summary>
    /// STRICT_DNS takes every address of one family: IPv4 when there is any (Envoy's V4_PREFERRED), so "localhost"
    /// does not send half the requests to a ::1 nobody listens on.
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
            return v4.Length > 0 ? v4 : addresses;
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
        foreach (var (hostname, endpoint) in resolved.Endpoints)
        {
            if (next.Any(h => h.Endpoint.Equals(endpoint)))
            {
                continue;
            }
            next.Add(current.Remove(endpoint, out var kept)
                ? kept
                : new UpstreamHost(hostname, endpoint, _cluster.Config.ConnectTimeout, _cluster.Stats));
        }
        _cluster.Publish(new ClusterMembership(next));
        foreach (var gone in current.Values)
        {
            gone.CloseIdle();
        }
    }
}
