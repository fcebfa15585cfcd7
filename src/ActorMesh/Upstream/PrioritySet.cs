using ActorMesh.Config;

namespace ActorMesh.Upstream;

/// <summary>
/// Envoy's PrioritySet as an immutable balancer snapshot: the host sets by priority, the share of traffic each level
/// gets and which levels are in panic. The cluster actor builds a new one whenever membership or health changes and
/// swaps it in; requests only read it.
/// </summary>
internal sealed class PrioritySet
{
    public static readonly PrioritySet Empty = new([], []);

    private const int FullLoad = 100;

    private readonly HostSet[] _levels;
    // Upper bound (exclusive, 0–100) of each level's share: a draw below bound i and above bound i-1 takes level i.
    private readonly int[] _cumulativeLoad;

    private PrioritySet(HostSet[] levels, int[] cumulativeLoad)
    {
        _levels = levels;
        _cumulativeLoad = cumulativeLoad;
    }

    public IReadOnlyList<HostSet> Levels => _levels;

    /// <summary>The share of traffic per level, in percent (Envoy's healthy priority load).</summary>
    public IReadOnlyList<int> PriorityLoad => _cumulativeLoad.Select((c, i) => c - (i == 0 ? 0 : _cumulativeLoad[i - 1])).ToArray();

    public static PrioritySet Build(IReadOnlyList<UpstreamHost> hosts, ClusterConfig config)
    {
        if (hosts.Count == 0)
        {
            return Empty;
        }
        var levels = hosts.GroupBy(h => h.Priority).OrderBy(g => g.Key)
            .Select(g => new HostSet(g.Key, g.ToArray(), config))
            .ToArray();
        var factor = config.LoadBalancing.OverprovisioningFactor;
        // Envoy: a level's health is its healthy share times the overprovisioning factor, capped at 100.
        var health = levels.Select(l => (int)Math.Min(FullLoad, (long)l.Healthy.Count * factor / l.Hosts.Count)).ToArray();
        var totalHealth = Math.Min(FullLoad, health.Sum());
        var load = new int[levels.Length];
        var threshold = config.LoadBalancing.HealthyPanicThreshold;
        foreach (var level in levels)
        {
            // Only when the levels together cannot take all traffic does a level's own low health put it in panic.
            level.Panic = totalHealth < FullLoad && threshold > 0 && 100.0 * level.Healthy.Count / level.Hosts.Count < threshold;
        }
        if (totalHealth == 0 || levels.All(l => l.Panic))
        {
            // Total panic: every level in panic, traffic split by host count (Envoy's recalculateLoadInTotalPanic);
            // with the threshold at 0 panic is off and a cluster with no healthy host has no host to give.
            foreach (var level in levels)
            {
                level.Panic = threshold > 0;
            }
            Distribute(load, levels.Select(l => l.Hosts.Count).ToArray(), levels.Sum(l => l.Hosts.Count));
        }
        else
        {
            Distribute(load, health, totalHealth);
        }
        var cumulative = new int[levels.Length];
        var sum = 0;
        for (var i = 0; i < load.Length; i++)
        {
            sum += load[i];
            cumulative[i] = sum;
        }
        return new PrioritySet(levels, cumulative);
    }

    public int HealthyCount => _levels.Sum(l => l.Healthy.Count);

    public UpstreamHost? ChooseHost(in LoadBalancerContext context)
    {
        var levels = _levels;
        if (levels.Length == 0)
        {
            return null;
        }
        if (levels.Length == 1)
        {
            return levels[0].Choose(context);
        }
        // Envoy draws the level from the request's hash when there is one, else at random.
        var draw = context.Hash is { } hash ? (int)(hash % FullLoad) : Random.Shared.Next(FullLoad);
        for (var i = 0; i < levels.Length; i++)
        {
            if (draw < _cumulativeLoad[i])
            {
                return levels[i].Choose(context);
            }
        }
        return levels[0].Choose(context);
    }

    /// <summary>
    /// Envoy's priority load: each level in turn takes its share scaled by <paramref name="total"/> (at most 100),
    /// capped by what is left; the rounding remainder goes to the first level with a share.
    /// </summary>
    private static void Distribute(int[] load, int[] shares, int total)
    {
        if (total == 0)
        {
            load[0] = FullLoad;
            return;
        }
        var remaining = FullLoad;
        for (var i = 0; i < shares.Length; i++)
        {
            load[i] = Math.Min(remaining, shares[i] * FullLoad / total);
            remaining -= load[i];
        }
        if (remaining > 0)
        {
            load[Array.FindIndex(shares, s => s > 0)] += remaining;
        }
    }
}
