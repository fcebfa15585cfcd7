namespace ActorMesh.Tests.Mesh;

/// <summary>
/// Config versions for mesh tests: a listener on the wildcard address (each node binds it to its own 127.0.0.N) with
/// <c>/stable</c> in every version and <c>/vN</c> only in version N, so a request tells which version a node serves.
/// </summary>
internal static class MeshVersions
{
    public static string Version(int n, int upstreamPort, string extraListener = "") => $$"""
        static_resources:
          listeners:
          - name: web
            address:
              socket_address: { address: 0.0.0.0, port_value: 0 }
            filter_chains:
            - filters:
              - name: envoy.filters.network.http_connection_manager
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                  stat_prefix: web
                  route_config:
                    name: web_routes
                    virtual_hosts:
                    - name: all
                      domains: ["*"]
                      routes:
                      - match: { path: "/stable" }
                        route: { cluster: app }
                      - match: { path: "/v{{n}}" }
                        route: { cluster: app }
                  http_filters:
                  - name: envoy.filters.http.router
        {{extraListener}}
          clusters:
          - name: app
            connect_timeout: 1s
            load_assignment:
              cluster_name: app
              endpoints:
              - lb_endpoints:
                - endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: {{upstreamPort}} } } }
        admin:
          address:
            socket_address: { address: 127.0.0.1, port_value: 0 }
        """;

    /// <summary>A second listener on the wildcard address and a fixed port, for a NACK where that port is taken.</summary>
    public static string ExtraListener(int port) => $$"""
          - name: extra
            address:
              socket_address: { address: 0.0.0.0, port_value: {{port}} }
            filter_chains:
            - filters:
              - name: envoy.filters.network.http_connection_manager
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                  stat_prefix: extra
                  route_config:
                    name: extra_routes
                    virtual_hosts:
                    - name: all
                      domains: ["*"]
                      routes:
                      - match: { prefix: "/" }
                        route: { cluster: app }
                  http_filters:
                  - name: envoy.filters.http.router
        """;
}
