namespace ActorMesh.Upstream;

/// <summary>
/// What a request tells the load balancer (Envoy's LoadBalancerContext): the hash from the route's
/// <c>hash_policy</c>, for RING_HASH and MAGLEV, or none.
/// </summary>
public readonly record struct LoadBalancerContext(ulong? Hash)
{
    public static readonly LoadBalancerContext None = new(null);
}
