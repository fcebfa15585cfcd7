namespace ActorMesh.Upstream;

/// <summary>
/// Envoy's RING_HASH (ketama): each host owns ring entries in proportion to its weight, hashed as
/// xxHash64("address_i"); a request's hash picks the first entry at or after it, wrapping around. The ring size is
/// scaled so the lightest host gets at least <c>minimum_ring_size</c>×its share, capped at <c>maximum_ring_size</c>.
/// </summary>
internal sealed class RingHashLoadBalancer : ILoadBalancer
{
    private readonly ulong[] _hashes;
    private readonly UpstreamHost[] _hosts;

    public RingHashLoadBalancer(IReadOnlyList<UpstreamHost> hosts, long minimumRingSize, long maximumRingSize)
    {
        double totalWeight = hosts.Sum(h => (double)h.Weight);
        var minNormalized = hosts.Min(h => h.Weight / totalWeight);
        var scale = Math.Min(Math.Ceiling(minNormalized * minimumRingSize) / minNormalized, maximumRingSize);
        var ring = new List<(ulong Hash, UpstreamHost Host)>((int)Math.Min(scale + hosts.Count, maximumRingSize + hosts.Count));
        double current = 0;
        long target = 0;
        foreach (var host in hosts)
        {
            var key = HostHash.Key(host) + "_";
            current += scale * (host.Weight / totalWeight);
            for (var i = 0; current > target; i++, target++)
            {
                ring.Add((HostHash.XxHash64(key + i.ToString(System.Globalization.CultureInfo.InvariantCulture)), host));
            }
        }
        ring.Sort((a, b) => a.Hash.CompareTo(b.Hash));
        _hashes = ring.Select(e => e.Hash).ToArray();
        _hosts = ring.Select(e => e.Host).ToArray();
    }

    public int RingSize => _hashes.Length;

    public UpstreamHost Choose(in LoadBalancerContext context)
    {
        var hash = context.Hash ?? LoadBalancerFactory.RandomHash();
        var index = Array.BinarySearch(_hashes, hash);
        if (index < 0)
        {
            index = ~index;
        }
        return _hosts[index == _hashes.Length ? 0 : index];
    }
}
