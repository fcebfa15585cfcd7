using ActorMesh.Config;
using ActorMesh.Http;
using ActorMesh.Routing;

namespace ActorMesh.Tests.Routing;

/// <summary>Configs for routing tests: one listener, the given virtual host routes and any number of clusters.</summary>
internal static class RoutingYaml
{
    /// <param name="routesYaml">The virtual host's fields after <c>domains</c> (YAML at column 0), usually <c>routes:</c>.</param>
    /// <param name="clusters">Cluster name → endpoint port; <c>type</c> STATIC on 127.0.0.1 unless <paramref name="dnsClusters"/> names it.</param>
    /// <param name="routeConfigYaml">Route configuration level fields (YAML at column 0).</param>
    public static string Config(string routesYaml, IReadOnlyDictionary<string, int> clusters, string? routeConfigYaml = null, ISet<string>? dnsClusters = null)
    {
        var clusterYaml = string.Concat(clusters.Select(c =>
            $"  - name: {c.Key}\n"
            + "    connect_timeout: 1s\n"
            + $"    type: {(dnsClusters?.Contains(c.Key) == true ? "STRICT_DNS" : "STATIC")}\n"
            + "    load_assignment:\n"
            + $"      cluster_name: {c.Key}\n"
            + "      endpoints:\n"
            + "      - lb_endpoints:\n"
            + $"        - endpoint: {{ address: {{ socket_address: {{ address: {(dnsClusters?.Contains(c.Key) == true ? "localhost" : "127.0.0.1")}, port_value: {c.Value} }} }} }}\n"));
        return "static_resources:\n"
            + "  listeners:\n"
            + "  - name: main\n"
            + "    address: { socket_address: { address: 127.0.0.1, port_value: 0 } }\n"
            + "    filter_chains:\n"
            + "    - filters:\n"
            + "      - name: envoy.filters.network.http_connection_manager\n"
            + "        typed_config:\n"
            + "          \"@type\": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager\n"
            + "          stat_prefix: ingress_http\n"
            + "          route_config:\n"
            + "            name: local_route\n"
            + (routeConfigYaml is null ? "" : Support.ProxyHarness.Indent(routeConfigYaml, 12))
            + "            virtual_hosts:\n"
            + "            - name: all\n"
            + "              domains: [\"*\"]\n"
            + Support.ProxyHarness.Indent(routesYaml, 14)
            + "          http_filters:\n"
            + "          - name: envoy.filters.http.router\n"
            + "  clusters:\n"
            + clusterYaml
            + "admin:\n"
            + "  address: { socket_address: { address: 127.0.0.1, port_value: 0 } }\n";
    }

    public static readonly IReadOnlyDictionary<string, int> OneCluster = new Dictionary<string, int> { ["backend"] = 1 };

    public static IReadOnlyList<ConfigError> Errors(string routesYaml, string? routeConfigYaml = null) =>
        ConfigLoader.LoadYaml(Config(routesYaml, OneCluster, routeConfigYaml)).Errors;

    public static RouteTable Table(string routesYaml, string? routeConfigYaml = null)
    {
        var loaded = ConfigLoader.LoadYaml(Config(routesYaml, OneCluster, routeConfigYaml));
        if (!loaded.IsValid)
        {
            throw new InvalidOperationException(string.Join("; ", loaded.Errors));
        }
        var hcm = loaded.Config!.StaticResources.Listeners[0].FilterChains[0].Filters.OfType<HttpConnectionManagerConfig>().Single();
        return new RouteTable(hcm.RouteConfig);
    }

    public static HttpRequestHead Request(string target, params (string Name, string Value)[] headers)
    {
        var h = new HttpHeaders();
        h.Add("host", "example.com");
        foreach (var (name, value) in headers)
        {
            h.Add(name, value);
        }
        return new HttpRequestHead("GET", target, HttpVersion.Http11, h, BodyFraming.None, 0, true);
    }
}
