using ActorMesh.Config;
using ActorMesh.Upstream;

namespace ActorMesh.Listeners;

/// <summary>
/// What a new config version does to the served listeners, by name: added (new name, or an address that changed),
/// removed (gone, or its address changed), modified (same address, but its config or a cluster it references is not
/// the one it was built with). Everything else is left untouched.
/// </summary>
public sealed record ListenerPlan(IReadOnlyList<ListenerConfig> Added, IReadOnlySet<string> Removed, IReadOnlySet<string> Modified)
{
    /// <summary>A served listener: its config and the cluster instances its snapshot holds.</summary>
    public sealed record Served(ListenerConfig Config, IReadOnlyDictionary<string, UpstreamCluster> Clusters);

    public static ListenerPlan Create(IReadOnlyList<Served> current, IEnumerable<ListenerConfig> next, IReadOnlyDictionary<string, UpstreamCluster> clusters)
    {
        var served = current.ToDictionary(s => s.Config.Name, StringComparer.Ordinal);
        var added = new List<ListenerConfig>();
        var removed = new HashSet<string>(StringComparer.Ordinal);
        var modified = new HashSet<string>(StringComparer.Ordinal);
        var kept = new HashSet<string>(StringComparer.Ordinal);
        foreach (var config in next)
        {
            if (!served.TryGetValue(config.Name, out var old))
            {
                added.Add(config);
                continue;
            }
            kept.Add(config.Name);
            if (old.Config.Address != config.Address)
            {
                // Envoy cannot move a bound socket either: the old listener drains while the new one binds.
                removed.Add(config.Name);
                added.Add(config);
            }
            else if (old.Config != config || !SameClusters(config, old.Clusters, clusters))
            {
                modified.Add(config.Name);
            }
        }
        removed.UnionWith(served.Keys.Where(name => !kept.Contains(name)));
        return new ListenerPlan(added, removed, modified);
    }

    private static bool SameClusters(ListenerConfig config, IReadOnlyDictionary<string, UpstreamCluster> before, IReadOnlyDictionary<string, UpstreamCluster> after)
    {
        // A route that reads its cluster from a header may reach any cluster: compare them all.
        var names = ListenerPipelineFactory.ReferencedClusters(config) ?? before.Keys.Union(after.Keys).ToArray();
        return names.All(name => before.TryGetValue(name, out var a) && after.TryGetValue(name, out var b) && ReferenceEquals(a, b));
    }
}
