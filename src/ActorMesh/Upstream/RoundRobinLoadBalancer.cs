namespace ActorMesh.Upstream;

/// <summary>
/// Envoy's ROUND_ROBIN. Equal weights rotate through the hosts; unequal weights follow the order Envoy's earliest
/// deadline first scheduler produces, computed once per snapshot (<see cref="EdfSchedule"/>) so that picking is one
/// interlocked increment instead of a shared priority queue.
/// </summary>
internal sealed class RoundRobinLoadBalancer : ILoadBalancer
{
    private readonly UpstreamHost[] _schedule;
    private int _next = -1;

    public RoundRobinLoadBalancer(IReadOnlyList<UpstreamHost> hosts) =>
        _schedule = EdfSchedule.Build(hosts, h => h.Weight);

    public UpstreamHost Choose(in LoadBalancerContext context)
    {
        var n = (uint)Interlocked.Increment(ref _next);
        return _schedule[n % (uint)_schedule.Length];
    }
}
