namespace ActorMesh.Tests.Support;

/// <summary>
/// A proxy config for tests of what the connection manager does with its replies and logs: listener <c>main</c> on an
/// ephemeral port whose connection manager takes extra fields (<c>access_log</c>, <c>local_reply_config</c>…), and
/// three clusters: <c>backend</c> (a live upstream), <c>dead</c> (a <see cref="DeadPort"/>: 503 <c>UF</c>) and
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
        ProxyHarness.ConfigWith(routes, [backendPort], hcmOptions: hcmOptions, httpFilters: httpFilters, moreClusters:
            "- name: dead\n"
            + "  connect_timeout: 1s\n"
            + $"  load_assignment: {{ cluster_name: dead, endpoints: [ {{ lb_endpoints: [ {{ endpoint: {{ address: {{ socket_address: {{ address: 127.0.0.1, port_value: {deadPort} }} }} }} }} ] }} ] }}\n"
            + "- name: empty\n"
            + "  connect_timeout: 1s\n"
            + "  load_assignment: { cluster_name: empty, endpoints: [] }");
}
