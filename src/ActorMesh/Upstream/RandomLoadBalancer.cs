namespace ActorMesh.Upstream;

/// <summary>Envoy's RANDOM: a uniformly random host (weights are not considered, as in Envoy).</summary>
internal sealed class RandomLoadBalancer : ILoadBalancer
{
    private readonly UpstreamHost[] _hosts;

    public RandomLoadBalancer(IReadOnlyList<UpstreamHost> hosts) => _hosts = hosts.ToArray();

    public UpstreamHost Choose(in LoadBalancerContext context) => _hosts[Random.Shared.Next(_hosts.Length)];
}
