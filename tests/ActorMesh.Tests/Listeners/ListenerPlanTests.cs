using ActorMesh.Config;
using ActorMesh.Listeners;
using ActorMesh.Stats;
using ActorMesh.Tests.Hosting;
using ActorMesh.Upstream;
using Xunit;

namespace ActorMesh.Tests.Listeners;

/// <summary>What a new config version does to each served listener: the pure diff the <see cref="ListenerManager"/> acts on.</summary>
public sealed class ListenerPlanTests
{
    [Fact]
    public void An_identical_version_touches_nothing()
    {
        var (listeners, clusters) = Load([new TestListener("main", 0, "a")]);
        var plan = ListenerPlan.Create(Served(listeners, clusters), listeners, clusters);
        Assert.Empty(plan.Added);
        Assert.Empty(plan.Removed);
        Assert.Empty(plan.Modified);
    }

    [Fact]
    public void A_route_change_or_a_new_instance_of_a_cluster_it_routes_to_modifies_a_listener()
    {
        var (before, clusters) = Load([new TestListener("main", 0, "a"), new TestListener("other", 0, "b", "other_http")]);
        var (rerouted, _) = Load([new TestListener("main", 0, "b"), new TestListener("other", 0, "b", "other_http")]);
        Assert.Equal(["main"], ListenerPlan.Create(Served(before, clusters), rerouted, clusters).Modified);

        // Cluster a replaced (a changed config): only the listener routing to it needs a new snapshot.
        var replaced = new Dictionary<string, UpstreamCluster>(clusters) { ["a"] = NewCluster(clusters["a"].Config with { ConnectTimeout = TimeSpan.FromSeconds(3) }) };
        var plan = ListenerPlan.Create(Served(before, clusters), before, replaced);
        Assert.Equal(["main"], plan.Modified);
        Assert.Empty(plan.Added);
    }

    [Fact]
    public void An_address_change_is_a_removal_and_an_addition_and_names_come_and_go()
    {
        var (before, clusters) = Load([new TestListener("main", 0, "a"), new TestListener("old", 0, "a", "old_http")]);
        var (after, _) = Load([new TestListener("main", 10001, "a"), new TestListener("new", 0, "a", "new_http")]);
        var plan = ListenerPlan.Create(Served(before, clusters), after, clusters);
        Assert.Equal(["main", "new"], plan.Added.Select(l => l.Name));
        Assert.Equal(["main", "old"], plan.Removed.Order(StringComparer.Ordinal));
        Assert.Empty(plan.Modified);
    }

    private static (EquatableArray<ListenerConfig> Listeners, Dictionary<string, UpstreamCluster> Clusters) Load(TestListener[] listeners)
    {
        var loaded = ConfigLoader.LoadYaml(VersionConfigs.Yaml(listeners, [("a", 9001), ("b", 9002)]));
        Assert.True(loaded.IsValid, string.Join("; ", loaded.Errors));
        var clusters = loaded.Config!.StaticResources.Clusters.ToDictionary(c => c.Name, NewCluster);
        return (loaded.Config.StaticResources.Listeners, clusters);
    }

    private static UpstreamCluster NewCluster(ClusterConfig config) => new(config, new ClusterStats(new StatsScope("cluster." + config.Name + ".")));

    private static List<ListenerPlan.Served> Served(EquatableArray<ListenerConfig> listeners, IReadOnlyDictionary<string, UpstreamCluster> clusters) =>
        listeners.Select(l => new ListenerPlan.Served(l, clusters)).ToList();
}
