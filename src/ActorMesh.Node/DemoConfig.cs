namespace ActorMesh.Node;

/// <summary>
/// What a node serves when started without <c>-c</c>: a proxy on 127.0.0.1:10000 whose only upstream is the node's
/// own admin endpoint, so a newcomer can curl through the proxy with nothing else running.
/// </summary>
internal static class DemoConfig
{
    public const string Yaml = """
        static_resources:
          listeners:
          - name: demo
            address:
              socket_address: { address: 127.0.0.1, port_value: 10000 }
            filter_chains:
            - filters:
              - name: envoy.filters.network.http_connection_manager
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                  stat_prefix: demo
                  route_config:
                    name: demo_route
                    virtual_hosts:
                    - name: demo
                      domains: ["*"]
                      routes:
                      - match: { prefix: "/" }
                        route: { cluster: demo_admin }
                  http_filters:
                  - name: envoy.filters.http.router
                    typed_config:
                      "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router
          clusters:
          - name: demo_admin
            connect_timeout: 1s
            type: STATIC
            lb_policy: ROUND_ROBIN
            load_assignment:
              cluster_name: demo_admin
              endpoints:
              - lb_endpoints:
                - endpoint:
                    address:
                      socket_address: { address: 127.0.0.1, port_value: 9901 }
        admin:
          address:
            socket_address: { address: 127.0.0.1, port_value: 9901 }
        """;
}
