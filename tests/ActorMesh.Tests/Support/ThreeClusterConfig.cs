using System.Net;
using System.Net.Sockets;

namespace ActorMesh.Tests.Support;

/// <summary>
/// A proxy config for tests of what the connection manager does with its replies and logs: listener <c>main</c> on an
/// ephemeral port whose connection manager takes extra fields (<c>access_log</c>, <c>local_reply_config</c>…), and
/// three clusters: <c>backend</c> (a live upstream), <c>dead</c> (a port that refuses connections: 503 <c>UF</c>) and
/// <c>empty</c> (no endpoints: 503 <c>UH</c>). Any path no route takes is 404 <c>NR</c>.
/// </summary>
internal static class ThreeClusterConfig
{
    /// <summary>The routes' list items, for tests that put routes of their own first.</summary>
    public const string RouteList =
        "- match: { prefix: \"/app\" }\n  route: { cluster: backend }\n"
        + "- match: { prefix: \"/dead\" }\n  route: { cluster: dead }\n"
        + "- match: { prefix: \"/empty\" }\n  route: { cluster: empty }\n"
        + "- match: { prefix: \"/direct\" }\n  direct_response: { status: 200, body: { inline_string: \"direct body\" } }\n"
        + "  response_headers_to_add: [ { header: { key: content-type, value: text/html } } ]";

    public const string Routes = "routes:\n" + RouteList;

    /// <param name="hcmOptions">Connection manager fields (YAML at column 0).</param>
    /// <param name="httpFilters"><c>http_filters</c> entries before the router (a YAML list at column 0).</param>
    public static string Yaml(string hcmOptions, int backendPort, int deadPort, string routes = Routes, string? httpFilters = null) =>
        "static_resources:\n"
        + "  listeners:\n"
        + "  - name: main\n"
        + "    address: { socket_address: { address: 127.0.0.1, port_value: 0 } }\n"
        + "    filter_chains:\n"
        + "    - filters:\n"
        + "      - name: envoy.filters.network.http_connection_manager\n"
        + "        typed_config:\n"
        + "          \"@type\": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager\n"
        + "          stat_prefix: ingress_http\n"
        + ProxyHarness.Indent(hcmOptions, 10)
        + "          route_config:\n"
        + "            name: local_route\n"
        + "            virtual_hosts:\n"
        + "            - name: all\n"
        + "              domains: [\"*\"]\n"
        + ProxyHarness.Indent(routes, 14)
        + "          http_filters:\n"
        + (httpFilters is null ? string.Empty : ProxyHarness.Indent(httpFilters, 10))
        + "          - name: envoy.filters.http.router\n"
        + "  clusters:\n"
        + Cluster("backend", backendPort)
        + Cluster("dead", deadPort)
        + "  - name: empty\n"
        + "    connect_timeout: 1s\n"
        + "    load_assignment: { cluster_name: empty, endpoints: [] }\n"
        + "admin:\n"
        + "  address: { socket_address: { address: 127.0.0.1, port_value: 0 } }\n";

    /// <summary>
    /// A port nothing listens on for as long as the socket lives: bound but never listening, so connecting is refused
    /// and the OS cannot hand the port to anything else meanwhile.
    /// </summary>
    public static Socket DeadPort()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return socket;
    }

    public static int PortOf(Socket socket) => ((IPEndPoint)socket.LocalEndPoint!).Port;

    private static string Cluster(string name, int port) =>
        $"  - name: {name}\n"
        + "    connect_timeout: 1s\n"
        + $"    load_assignment: {{ cluster_name: {name}, endpoints: [ {{ lb_endpoints: [ {{ endpoint: {{ address: {{ socket_address: {{ address: 127.0.0.1, port_value: {port} }} }} }} }} ] }} ] }}\n";
}
