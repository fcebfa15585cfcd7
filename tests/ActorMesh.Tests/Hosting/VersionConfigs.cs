using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ActorMesh.Tests.Hosting;

/// <summary>A listener for a test config: every path routed to one cluster; port 0 binds any free port.</summary>
internal sealed record TestListener(string Name, int Port, string Cluster, string StatPrefix = "ingress_http");

/// <summary>Config versions for the live-update tests: listeners and clusters chosen per version, admin on an ephemeral loopback port.</summary>
internal static class VersionConfigs
{
    public static string Yaml(IEnumerable<TestListener> listeners, IEnumerable<(string Name, int UpstreamPort)> clusters)
    {
        var sb = new StringBuilder("static_resources:\n  listeners:\n");
        foreach (var l in listeners)
        {
            sb.Append($$"""
                  - name: {{l.Name}}
                    address: { socket_address: { address: 127.0.0.1, port_value: {{l.Port}} } }
                    filter_chains:
                    - filters:
                      - name: envoy.filters.network.http_connection_manager
                        typed_config:
                          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                          stat_prefix: {{l.StatPrefix}}
                          route_config:
                            name: local_route
                            virtual_hosts:
                            - name: all
                              domains: ["*"]
                              routes:
                              - match: { prefix: "/" }
                                route: { cluster: {{l.Cluster}} }
                          http_filters:
                          - name: envoy.filters.http.router

                """);
        }
        sb.Append("  clusters:\n");
        foreach (var (name, port) in clusters)
        {
            sb.Append($$"""
                  - name: {{name}}
                    connect_timeout: 1s
                    type: STATIC
                    load_assignment:
                      cluster_name: {{name}}
                      endpoints:
                      - lb_endpoints:
                        - endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: {{port}} } } }

                """);
        }
        sb.Append("admin:\n  address: { socket_address: { address: 127.0.0.1, port_value: 0 } }\n");
        return sb.ToString();
    }

    /// <summary>One listener <c>main</c> routing everything to <paramref name="cluster"/>, over the given clusters.</summary>
    public static string Routing(string cluster, params (string Name, int UpstreamPort)[] clusters) =>
        Yaml([new TestListener("main", 0, cluster)], clusters);

    /// <summary>Whether something accepts connections on 127.0.0.1:<paramref name="port"/>.</summary>
    public static bool Accepts(int port)
    {
        using var client = new TcpClient();
        try
        {
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>Whether a new connection to <paramref name="port"/> is refused, or accepted and closed without an answer.</summary>
    public static async Task<bool> Unserved(int port)
    {
        try
        {
            return (await ActorMesh.Tests.Support.RawHttp.Exchange(port, "GET /new HTTP/1.1\r\nHost: a\r\n\r\n", TimeSpan.FromSeconds(2))).Length == 0;
        }
        catch (SocketException)
        {
            return true;
        }
    }

    /// <summary>Polls <paramref name="condition"/> every 50 ms until it holds or <paramref name="timeout"/> passes.</summary>
    public static async Task<bool> Eventually(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
            {
                return true;
            }
            await Task.Delay(50);
        }
        return await condition();
    }
}
