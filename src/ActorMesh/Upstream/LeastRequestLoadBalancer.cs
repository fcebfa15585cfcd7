namespace ActorMesh.Upstream;

/// <summary>
/// Envoy's LEAST_REQUEST: <c>choice_count</c> hosts drawn at random (with replacement, power of two choices by
/// default), the one with the fewest active requests wins. With unequal weights the comparison is active requests per
/// unit of weight, a lock-free stand-in for Envoy's dynamic-weight EDF.
/// </summary>
internal sealed class LeastRequestLoadBalancer : ILoadBalancer
{
    private readonly UpstreamHost[] _hosts;
    private readonly int _choiceCount;

    public LeastRequestLoadBalancer(IReadOnlyList<UpstreamHost> hosts, int choiceCount)
    {
        _hosts = hosts.ToArray();
        _choiceCount = choiceCount;
    }

    public UpstreamHost Choose(in LoadBalancerContext context)
    {
        if (_hosts.Length == 1)
        {
            return _hosts[0];
        }
        UpstreamHost best = _hosts[Random.Shared.Next(_hosts.Length)];
        var bestLoad = Load(best);
        for (var i = 1; i < _choiceCount; i++)
        {
            var candidate = _hosts[Random.Shared.Next(_hosts.Length)];
            var load = Load(candidate);
            if (load < bestLoad)
            {
                best = candidate;
                bestLoad = load;
            }
        }
        return best;
    }

    private static double Load(UpstreamHost host) => (double)host.RqActive / host.Weight;
}
