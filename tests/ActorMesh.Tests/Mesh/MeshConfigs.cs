namespace ActorMesh.Tests.Mesh;

/// <summary>Small valid Envoy configs that differ in one line (the listener port), and one invalid config.</summary>
internal static class MeshConfigs
{
    public static string Valid(int port) => $$"""
        static_resources:
          listeners:
          - name: web
            address:
              socket_address: { address: 127.0.0.1, port_value: {{port}} }
            filter_chains:
            - filters:
              - name: envoy.filters.network.http_connection_manager
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                  stat_prefix: ingress_http
                  route_config:
                    name: local_route
                    virtual_hosts:
                    - name: app
                      domains: ["*"]
                      routes:
                      - match: { prefix: "/" }
                        route: { cluster: app }
                  http_filters:
                  - name: envoy.filters.http.router
          clusters:
          - name: app
            connect_timeout: 0.25s
            load_assignment:
              cluster_name: app
              endpoints:
              - lb_endpoints:
                - endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: 9000 } } }

        """;

    /// <summary>Line 6 carries a field Envoy does not have.</summary>
    public static string Invalid { get; } = Valid(8080).Replace("    filter_chains:", "    bogus_field: 1\n    filter_chains:", StringComparison.Ordinal);

    public const string InvalidErrorPrefix = "static_resources.listeners[0].bogus_field (line 6)";
}
