using System.Net;
using System.Net.Sockets;
using System.Text;
using ActorMesh.Config;
using ActorMesh.Hosting;
using Akka.Actor;
using Akka.Configuration;

namespace ActorMesh.Tests.Support;

/// <summary>
/// A real ActorMesh data plane in the test process: an ActorSystem with the node's HOCON and an
/// <see cref="ActorMeshServer"/> started from a YAML config, listeners on 127.0.0.1.
/// </summary>
internal sealed class ProxyHarness : IAsyncDisposable
{
    private ProxyHarness(ActorSystem system, ActorMeshServer server)
    {
        System = system;
        Server = server;
    }

    public ActorSystem System { get; }
    public ActorMeshServer Server { get; }

    public int Port(string listener) => ((IPEndPoint)Server.ListenerAddresses[listener]).Port;

    public int AdminPort => ((IPEndPoint)Server.AdminAddress!).Port;

    public static Akka.Configuration.Config NodeHocon() =>
        ConfigurationFactory.ParseString("akka.actor.provider = local\nakka.loglevel = WARNING\nakka.stdout-loglevel = WARNING")
            .WithFallback(ConfigurationFactory.ParseString(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "hocon", "actormesh.hocon"))));

    public static async Task<ProxyHarness> StartAsync(string yaml, ServerOptions? options = null)
    {
        var loaded = ConfigLoader.LoadYaml(yaml);
        if (!loaded.IsValid)
        {
            throw new InvalidOperationException("test config invalid: " + string.Join("; ", loaded.Errors));
        }
        var system = ActorSystem.Create("test-" + Guid.NewGuid().ToString("N")[..8], NodeHocon());
        try
        {
            var server = await ActorMeshServer.StartAsync(system, loaded.Config!, options ?? new ServerOptions());
            return new ProxyHarness(system, server);
        }
        catch
        {
            await system.Terminate();
            throw;
        }
    }

    public long Stat(string name) => Server.Stats.Snapshot().Single(kv => kv.Key == name).Value;

    /// <summary>A stat that may not exist yet (per-code stats appear with their first response): 0 until it does.</summary>
    public long StatOrZero(string name) => Server.Stats.Snapshot().FirstOrDefault(kv => kv.Key == name).Value;

    public async ValueTask DisposeAsync() => await System.Terminate();

    /// <summary>A single-route proxy config: listener "main" on an ephemeral port, cluster "backend" over <paramref name="upstreamPorts"/>.</summary>
    public static string SimpleConfig(params int[] upstreamPorts) => ConfigWith(
        "routes:\n- match: { prefix: \"/\" }\n  route: { cluster: backend }",
        upstreamPorts);

    /// <summary>
    /// The same shape with the virtual host's <paramref name="routesYaml"/> (written at column 0) and the cluster's
    /// discovery type and endpoint address chosen by the test.
    /// </summary>
    /// <param name="hcmOptions">Extra HTTP connection manager fields (YAML at column 0), e.g. timeouts.</param>
    /// <param name="clusterOptions">Extra fields of cluster "backend" (YAML at column 0), e.g. circuit_breakers.</param>
    /// <param name="localityEndpoints">
    /// The load assignment's <c>endpoints</c> list (YAML at column 0) in place of one locality over <paramref name="upstreamPorts"/>.
    /// </param>
    /// <param name="httpFilters"><c>http_filters</c> entries before the router (a YAML list at column 0).</param>
    /// <param name="moreClusters">Clusters after "backend" (<c>clusters</c> list items, YAML at column 0).</param>
    public static string ConfigWith(string routesYaml, int[] upstreamPorts, string clusterType = "STATIC", string? endpointAddress = null, string domains = "[\"*\"]", string? hcmOptions = null, string? clusterOptions = null, string? localityEndpoints = null, string lbPolicy = "ROUND_ROBIN", string? httpFilters = null, string? moreClusters = null)
    {
        var endpoints = localityEndpoints is not null
            ? Indent(localityEndpoints, 6)
            : "      - lb_endpoints:\n" + string.Concat(upstreamPorts.Select(port =>
                $"        - endpoint: {{ address: {{ socket_address: {{ address: {endpointAddress ?? "127.0.0.1"}, port_value: {port} }} }} }}\n"));
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
            + (hcmOptions is null ? string.Empty : Indent(hcmOptions, 10))
            + "          route_config:\n"
            + "            name: local_route\n"
            + "            virtual_hosts:\n"
            + "            - name: all\n"
            + $"              domains: {domains}\n"
            + Indent(routesYaml, 14)
            + "          http_filters:\n"
            + (httpFilters is null ? string.Empty : Indent(httpFilters, 10))
            + "          - name: envoy.filters.http.router\n"
            + "            typed_config:\n"
            + "              \"@type\": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router\n"
            + "  clusters:\n"
            + "  - name: backend\n"
            + "    connect_timeout: 1s\n"
            + $"    type: {clusterType}\n"
            + $"    lb_policy: {lbPolicy}\n"
            + (clusterOptions is null ? string.Empty : Indent(clusterOptions, 4))
            + "    load_assignment:\n"
            + "      cluster_name: backend\n"
            + "      endpoints:\n"
            + endpoints
            + (moreClusters is null ? string.Empty : Indent(moreClusters, 2))
            + "admin:\n"
            + "  address: { socket_address: { address: 127.0.0.1, port_value: 0 } }\n";
    }

    public static string Indent(string yaml, int spaces) =>
        string.Concat(yaml.Split('\n').Select(line => new string(' ', spaces) + line + "\n"));
}

/// <summary>A raw-socket HTTP client for what HttpClient will not send or show (malformed requests, exact bytes).</summary>
internal static class RawHttp
{
    /// <summary>Sends <paramref name="request"/> and reads until the server closes or <paramref name="timeout"/> passes.</summary>
    public static async Task<string> Exchange(int port, string request, TimeSpan? timeout = null)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.Latin1.GetBytes(request));
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(5));
        var received = new MemoryStream();
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var n = await stream.ReadAsync(buffer, cts.Token);
                if (n == 0)
                {
                    break;
                }
                received.Write(buffer, 0, n);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            // Timed out with the connection still open (keep-alive) or reset: return what arrived.
        }
        return Encoding.Latin1.GetString(received.ToArray());
    }
}
