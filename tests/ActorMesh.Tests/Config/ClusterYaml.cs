using ActorMesh.Config;
using Xunit;

namespace ActorMesh.Tests.Config;

/// <summary>A one-cluster config with a field under test, and its loading, for the cluster config tests.</summary>
internal static class ClusterYaml
{
    /// <summary>Cluster <c>a</c> with <paramref name="field"/> (YAML at the cluster's indentation) on line 4.</summary>
    public static string WithField(string field) => $$"""
        static_resources:
          clusters:
          - name: a
            {{field}}
            load_assignment:
              endpoints:
              - lb_endpoints:
                - endpoint: { address: { socket_address: { address: 10.0.0.1, port_value: 80 } } }
        """;

    /// <summary>The only cluster of a config that must load.</summary>
    public static ClusterConfig Load(string yaml)
    {
        var result = ConfigLoader.LoadYaml(yaml);
        Assert.True(result.IsValid, string.Join(Environment.NewLine, result.Errors));
        return Assert.Single(result.Config!.StaticResources.Clusters);
    }
}
