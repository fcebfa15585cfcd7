using ActorMesh.Config;
using ActorMesh.Routing;
using Xunit;

namespace ActorMesh.Tests.Routing;

/// <summary>The corpus configs that failed only on routing fields (mirrors, direct responses, header matches, weights).</summary>
public sealed class RoutingCorpusTests
{
    private static BootstrapConfig? Load(string relative)
    {
        var path = Path.Combine("/work/shared/corpus/envoy", relative);
        if (!File.Exists(path))
        {
            return null;
        }
        var result = ConfigLoader.LoadFile(path);
        Assert.True(result.IsValid, string.Join("; ", result.Errors));
        return result.Config;
    }

    private static RouteTable Table(BootstrapConfig config) =>
        new(config.StaticResources.Listeners[0].FilterChains[0].Filters.OfType<HttpConnectionManagerConfig>().Single().RouteConfig);

    [Fact]
    public void Route_mirror_example_loads_with_both_mirror_forms()
    {
        if (Load("envoyproxy-examples__route-mirror_envoy.yaml") is not { } config)
        {
            return;
        }
        var table = Table(config);
        Assert.Equal(new MirrorPolicyConfig("service1-mirror", null, null), Assert.Single(table.Match("h", "/service/1")!.Action.MirrorPolicies));
        Assert.Equal(new MirrorPolicyConfig(null, "x-mirror-cluster", null), Assert.Single(table.Match("h", "/service/2")!.Action.MirrorPolicies));
    }

    [Fact]
    public void Websocket_example_loads_with_its_direct_response()
    {
        if (Load("envoyproxy-examples__websocket_envoy-ws-route.yaml") is not { } config)
        {
            return;
        }
        Assert.Equal(new DirectResponseConfig(200, "NotWebSocket\n"), Table(config).Match("h", "/other")!.DirectResponse);
    }

    [Fact]
    public void Blue_green_v2_example_loads_with_header_match_and_weights()
    {
        if (Load("legacy/envoyproxy-katacoda-scenarios__blue-green-deployments_assets_envoy-completed.yaml") is not { } config)
        {
            return;
        }
        var table = Table(config);
        var canary = RoutingYaml.Request("/service/2", ("x-canary-version", "service2a"));
        Assert.Equal("service2a", table.Match(canary, null)!.Cluster);
        Assert.Equal("service2", table.Match(RoutingYaml.Request("/service/2"), null)!.Cluster);
        var weighted = table.Match("h", "/service/3")!.Action.WeightedClusters!;
        Assert.Equal([new WeightedClusterConfig("service3a", 80), new WeightedClusterConfig("service3b", 20)], weighted.Clusters);
        Assert.Equal(100, weighted.TotalWeight);
    }
}
