using ActorMesh.Config;
using ActorMesh.Mesh;
using Xunit;

namespace ActorMesh.Tests.Mesh;

public sealed class MeshResourcesTests
{
    private static readonly string Config = MeshVersions.Version(3, 9000, MeshVersions.ExtraListener(8443)) + """

        stats_flush_interval: 1s
        """;

    [Fact]
    public void A_config_splits_into_one_resource_per_listener_and_cluster_in_config_order()
    {
        var resources = MeshResources.Split(Config, out var errors);

        Assert.Empty(errors);
        Assert.Equal(["listener/web", "listener/extra", "cluster/app"], resources.Select(r => r.Key));
        Assert.All(resources, r => Assert.Equal(r.Hash, MeshResource.HashOf(r.Yaml)));
    }

    [Fact]
    public void Reassembled_resources_load_as_the_same_static_resources_and_the_node_keeps_its_own_top_level_fields()
    {
        var resources = MeshResources.Split(Config, out _);
        var nodeLocal = """
            admin:
              address: { socket_address: { address: 127.0.0.1, port_value: 9999 } }
            stats_flush_interval: 2s
            """;

        var rebuilt = new NodeBootstrap(nodeLocal, NodeOverrides.None).Build(resources);

        var original = ConfigLoader.LoadYaml(Config).Config!;
        Assert.True(rebuilt.IsValid, string.Join("\n", rebuilt.Errors));
        Assert.Equal(original.StaticResources, rebuilt.Config!.StaticResources);
        Assert.Equal(9999, rebuilt.Config.Admin!.Address.Port);
        Assert.Equal(TimeSpan.FromSeconds(2), rebuilt.Config.StatsFlushInterval);
    }

    [Fact]
    public void The_node_local_part_is_everything_but_static_resources()
    {
        var local = MeshResources.NodeLocalPart(Config)!;

        Assert.DoesNotContain("static_resources", local, StringComparison.Ordinal);
        Assert.Contains("admin:", local, StringComparison.Ordinal);
        Assert.Contains("stats_flush_interval: 1s", local, StringComparison.Ordinal);
    }

    [Fact]
    public void A_resource_over_the_replication_limit_is_named_with_its_yaml_path_and_refused_by_the_store()
    {
        var huge = Config.Replace("stat_prefix: web", "stat_prefix: web" + new string('x', MeshResources.MaxResourceBytes), StringComparison.Ordinal);

        MeshResources.Split(huge, out var errors);
        var decision = ConfigStoreDecisions.Apply(ConfigStoreState.Empty, huge, "alice", null, DateTimeOffset.UnixEpoch);

        var error = Assert.Single(errors);
        Assert.StartsWith("static_resources.listeners[0] (line 3): 'web' is ", error, StringComparison.Ordinal);
        var rejected = Assert.IsType<ConfigStoreProtocol.Rejected>(decision.Reply);
        Assert.Equal(error, Assert.Single(rejected.Errors));
        Assert.Null(decision.ToPersist);
    }

    [Fact]
    public void A_config_whose_version_key_would_be_over_the_limit_is_refused()
    {
        var clusters = string.Concat(Enumerable.Range(0, 800).Select(i => $"  - {{ name: cluster_with_a_rather_long_name_{i:D4}, connect_timeout: 1s }}\n"));
        var yaml = "static_resources:\n  listeners: []\n  clusters:\n" + clusters;

        var resources = MeshResources.Split(yaml, out var errors);

        Assert.Equal(800, resources.Count);
        Assert.StartsWith("static_resources (line 1): 800 listeners and clusters make a ", Assert.Single(errors), StringComparison.Ordinal);
    }

    [Fact]
    public void Bind_address_rebinds_only_wildcard_listeners_and_admin_address_replaces_the_admin()
    {
        var config = ConfigLoader.LoadYaml(Config.Replace("address: 0.0.0.0, port_value: 8443", "address: 127.0.0.9, port_value: 8443", StringComparison.Ordinal)).Config!;

        var local = new NodeOverrides(new SocketAddressConfig("127.0.0.1", 9902), "127.0.0.2").Apply(config);

        Assert.Equal("127.0.0.2", local.StaticResources.Listeners[0].Address.Address);
        Assert.Equal("127.0.0.9", local.StaticResources.Listeners[1].Address.Address);
        Assert.Equal(new SocketAddressConfig("127.0.0.1", 9902), local.Admin!.Address);
    }

    [Fact]
    public void An_import_stores_the_versions_that_continue_the_journal_as_they_were_and_stops_at_a_gap()
    {
        var state = ConfigStoreState.Empty.Apply(new ConfigApplied(1, "a", "alice", DateTimeOffset.UnixEpoch, null));
        var two = new ConfigVersion(2, "b", "bob", DateTimeOffset.UnixEpoch, "why", ConfigChangeKind.Applied, null);
        var three = new ConfigVersion(3, "a", "carol", DateTimeOffset.UnixEpoch, null, ConfigChangeKind.RolledBack, 1);
        var five = two with { Version = 5 };
        var one = two with { Version = 1 };

        var events = ConfigStoreDecisions.Import(state, [five, three, one, two]);

        Assert.Equal([2L, 3L], events.Select(e => e.Version));
        var imported = events.Aggregate(state, (s, e) => s.Apply(e));
        Assert.Equal(two, imported.Find(2));
        Assert.Equal(three, imported.Find(3));
    }

    [Fact]
    public void Catching_up_fills_every_missing_version_so_numbering_continues_after_the_mesh()
    {
        var state = ConfigStoreState.Empty.Apply(new ConfigApplied(1, "a", "alice", DateTimeOffset.UnixEpoch, null));

        var events = ConfigStoreDecisions.CatchUp(state, 4, "d", "mesh", DateTimeOffset.UnixEpoch);
        var caughtUp = events.Aggregate(state, (s, e) => s.Apply(e));

        Assert.Equal([2L, 3L, 4L], events.Select(e => e.Version));
        Assert.Equal(4, caughtUp.Current!.Version);
        Assert.Equal("d", caughtUp.Current.Yaml);
        Assert.StartsWith("placeholder", events[0].Comment, StringComparison.Ordinal);
        Assert.Empty(ConfigStoreDecisions.CatchUp(caughtUp, 3, "c", "mesh", DateTimeOffset.UnixEpoch));
    }
}
