using ActorMesh.Config;

namespace ActorMesh.Upstream;

/// <summary>
/// Envoy's HostSet: the hosts of one priority level, the healthy ones, and a balancer over each (the one over all
/// hosts serves panic mode). With locality weighted LB the healthy hosts are also split by locality.
/// </summary>
internal sealed class HostSet
{
    private readonly ILoadBalancer? _healthyLb;
    private readonly ILoadBalancer? _allLb;
    private readonly Locality[] _localities;
    private readonly double _localityWeightTotal;

    public HostSet(int priority, IReadOnlyList<UpstreamHost> hosts, ClusterConfig config)
    {
        Priority = priority;
        Hosts = hosts;
        Healthy = hosts.Where(h => h.IsHealthy).ToArray();
        _allLb = hosts.Count > 0 ? LoadBalancerFactory.Create(config.LbPolicy, hosts, config.LoadBalancing) : null;
        _healthyLb = Healthy.Count > 0 ? LoadBalancerFactory.Create(config.LbPolicy, Healthy, config.LoadBalancing) : null;
        _localities = config.LoadBalancing.LocalityWeighted
            ? BuildLocalities(hosts, config)
            : [];
        _localityWeightTotal = _localities.Sum(l => l.EffectiveWeight);
    }

    public int Priority { get; }
    public IReadOnlyList<UpstreamHost> Hosts { get; }
    public IReadOnlyList<UpstreamHost> Healthy { get; }

    /// <summary>Set by <see cref="PrioritySet"/> once every level's health is known.</summary>
    public bool Panic { get; set; }

    public UpstreamHost? Choose(in LoadBalancerContext context)
    {
        if (Panic)
        {
            return _allLb?.Choose(context);
        }
        if (_localityWeightTotal > 0)
        {
            // Weighted random rather than Envoy's EDF over localities: the same shares without shared mutable state.
            var pick = Random.Shared.NextDouble() * _localityWeightTotal;
            foreach (var locality in _localities)
            {
                pick -= locality.EffectiveWeight;
                if (pick < 0 && locality.Balancer is not null)
                {
                    return locality.Balancer.Choose(context);
                }
            }
        }
        return _healthyLb?.Choose(context);
    }

    /// <summary>
    /// Envoy's effective locality weight: the configured weight times the locality's availability,
    /// min(1, overprovisioning × healthy / total).
    /// </summary>
    private static Locality[] BuildLocalities(IReadOnlyList<UpstreamHost> hosts, ClusterConfig config)
    {
        var factor = config.LoadBalancing.OverprovisioningFactor / 100.0;
        return hosts.GroupBy(h => h.LocalityIndex)
            .Select(group =>
            {
                var all = group.ToArray();
                var healthy = all.Where(h => h.IsHealthy).ToArray();
                var availability = Math.Min(1.0, factor * healthy.Length / all.Length);
                var weight = all[0].LocalityWeight * availability;
                return new Locality(weight, healthy.Length > 0 ? LoadBalancerFactory.Create(config.LbPolicy, healthy, config.LoadBalancing) : null);
            })
            .ToArray();
    }

    private sealed record Locality(double EffectiveWeight, ILoadBalancer? Balancer);
}
