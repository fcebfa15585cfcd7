using ActorMesh.Config;
using ActorMesh.Stats;

namespace ActorMesh.Upstream;

/// <summary>The live host set of one cluster, swapped whole when discovery changes it.</summary>
public sealed record ClusterMembership(IReadOnlyList<UpstreamHost> Hosts)
{
    public static readonly ClusterMembership Empty = new(Array.Empty<UpstreamHost>());
}

/// <summary>
/// What the data path sees of a cluster: its config, stats, current membership and the round-robin balancer.
/// The <see cref="UpstreamClusterActor"/> owns it and publishes membership; stages read it without locks.
/// </summary>
public sealed class UpstreamCluster
{
    private ClusterMembership _membership = ClusterMembership.Empty;
    private int _next = -1;

    public UpstreamCluster(ClusterConfig config, ClusterStats stats)
    {
        Config = config;
        Stats = stats;
    }

    public string Name => Config.Name;
    public ClusterConfig Config { get; }
    public ClusterStats Stats { get; }
    public ClusterMembership Membership => Volatile.Read(ref _membership);

    /// <summary>Completes once the first discovery finished, as Envoy warms a cluster before its listeners serve.</summary>
    public TaskCompletionSource Initialized { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Envoy's ROUND_ROBIN: successive requests take successive hosts.</summary>
    public UpstreamHost? ChooseHost()
    {
        var hosts = Membership.Hosts;
        if (hosts.Count == 0)
        {
            return null;
        }
        var n = (uint)Interlocked.Increment(ref _next);
        return hosts[(int)(n % (uint)hosts.Count)];
    }

    internal void Publish(ClusterMembership membership)
    {
        Volatile.Write(ref _membership, membership);
        Stats.MembershipTotal.Set(membership.Hosts.Count);
        Stats.MembershipHealthy.Set(membership.Hosts.Count);
        Initialized.TrySetResult();
    }
}
