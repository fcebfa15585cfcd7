namespace ActorMesh.Upstream;

/// <summary>
/// Envoy's LoadBalancer over one fixed list of hosts. Built by the cluster actor whenever membership or health
/// changes and then only read: <see cref="Choose"/> is lock-free and safe from any thread.
/// </summary>
internal interface ILoadBalancer
{
    UpstreamHost Choose(in LoadBalancerContext context);
}

internal static class LoadBalancerFactory
{
    /// <summary>A balancer for <paramref name="hosts"/>, which must not be empty.</summary>
    public static ILoadBalancer Create(Config.LbPolicy policy, IReadOnlyList<UpstreamHost> hosts, Config.LoadBalancingConfig config) => policy switch
    {
        Config.LbPolicy.LeastRequest => new LeastRequestLoadBalancer(hosts, config.ChoiceCount),
        Config.LbPolicy.Random => new RandomLoadBalancer(hosts),
        Config.LbPolicy.RingHash => new RingHashLoadBalancer(hosts, config.MinimumRingSize, config.MaximumRingSize),
        Config.LbPolicy.Maglev => new MaglevLoadBalancer(hosts),
        _ => new RoundRobinLoadBalancer(hosts),
    };

    /// <summary>The 64-bit value a hash-less request uses where a hash is needed, as Envoy draws a random one.</summary>
    public static ulong RandomHash() => (ulong)Random.Shared.NextInt64() ^ ((ulong)Random.Shared.Next() << 63);
}
