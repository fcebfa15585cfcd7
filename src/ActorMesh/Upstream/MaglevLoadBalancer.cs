namespace ActorMesh.Upstream;

/// <summary>
/// Envoy's MAGLEV: a lookup table of 65537 entries filled from each host's permutation (offset = xxHash64(address),
/// skip = xxHash64(address, seed 1)), weighted as Envoy does by letting a host take a turn only when its weight has
/// earned one. A request's hash modulo the table size picks the host.
/// </summary>
internal sealed class MaglevLoadBalancer : ILoadBalancer
{
    /// <summary>Envoy's default <c>maglev_lb_config.table_size</c> (a prime).</summary>
    public const int TableSize = 65537;

    private readonly UpstreamHost[] _table = new UpstreamHost[TableSize];

    public MaglevLoadBalancer(IReadOnlyList<UpstreamHost> hosts)
    {
        double totalWeight = hosts.Sum(h => (double)h.Weight);
        var entries = hosts.Select(h =>
        {
            var key = HostHash.Key(h);
            return new Entry(h, HostHash.XxHash64(key) % TableSize, HostHash.XxHash64(key, 1) % (TableSize - 1) + 1, h.Weight / totalWeight);
        }).ToArray();
        var maxWeight = entries.Max(e => e.Weight);
        var filled = 0;
        for (var iteration = 1; filled < TableSize; iteration++)
        {
            foreach (var entry in entries)
            {
                if (filled == TableSize)
                {
                    break;
                }
                // A host of the largest weight takes a turn every iteration, one of a third of it every third.
                if (iteration * entry.Weight < entry.Target)
                {
                    continue;
                }
                entry.Target += maxWeight;
                var slot = entry.Permutation();
                while (_table[slot] is not null)
                {
                    entry.Next++;
                    slot = entry.Permutation();
                }
                _table[slot] = entry.Host;
                entry.Next++;
                filled++;
            }
        }
    }

    public UpstreamHost Choose(in LoadBalancerContext context) =>
        _table[(context.Hash ?? LoadBalancerFactory.RandomHash()) % TableSize];

    private sealed class Entry(UpstreamHost host, ulong offset, ulong skip, double weight)
    {
        public UpstreamHost Host { get; } = host;
        public double Weight { get; } = weight;
        public double Target { get; set; }
        public ulong Next { get; set; }

        public ulong Permutation() => (offset + skip * Next) % TableSize;
    }
}
