using System.Net;
using ActorMesh.Tests.Support;
using Microsoft.AspNetCore.Http;
using Xunit;
using Xunit.Abstractions;
using YamlDotNet.RepresentationModel;

namespace ActorMesh.Tests.Config;

/// <summary>
/// Every config of the shared corpus (legacy/ apart) served as written, except for its addresses: listeners and the
/// admin move to ephemeral ports on 127.0.0.1 and each cluster's endpoints to a test upstream of its own that answers
/// with the cluster's name. Then every route that names a cluster is asked once, and must be answered by that cluster
/// (or by the local reply its own config gives: a fault, a rate limit).
/// </summary>
public sealed class EnvoyCorpusServeTests(ITestOutputHelper output)
{
    private static readonly string[] Served =
    [
        "envoyproxy-envoy__configs_envoy-demo.yaml",
        "envoyproxy-envoy__configs_front-proxy_envoy.yaml",
        "envoyproxy-envoy__docs_root_configuration_http_http_filters__include_local-rate-limit-route-specific-configuration.yaml",
        "envoyproxy-envoy__examples_cors_backend_front-envoy.yaml",
        "envoyproxy-envoy__examples_front-proxy_front-envoy.yaml",
        "envoyproxy-envoy__examples_front-proxy_service-envoy.yaml",
        "envoyproxy-examples__cors_backend_envoy.yaml",
        "envoyproxy-examples__fault-injection_envoy.yaml",
        "envoyproxy-examples__local_ratelimit_envoy.yaml",
        "envoyproxy-examples__locality-load-balancing_envoy.yaml",
        "envoyproxy-examples__route-mirror_envoy.yaml",
        "envoyproxy-examples__websocket_envoy-ws-route.yaml",
    ];

    public static TheoryData<string> Files() => new(Served);

    [Fact]
    public void The_list_covers_every_file_of_the_corpus()
    {
        if (CorpusPath(string.Empty) is not { } corpus)
        {
            output.WriteLine("shared corpus not found; nothing to check");
            return;
        }
        Assert.Equal(Directory.GetFiles(corpus, "*.yaml").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal), Served.Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Files))]
    public async Task Every_route_to_a_cluster_is_served_by_that_cluster(string file)
    {
        if (CorpusPath(file) is not { } path)
        {
            output.WriteLine("shared corpus not found; nothing to check");
            return;
        }
        var config = new CorpusConfig(File.ReadAllText(path));
        var upstreams = new List<IAsyncDisposable>();
        try
        {
            foreach (var cluster in config.Clusters)
            {
                var port = cluster.Http2
                    ? (await H2cUpstream.StartAsync(c => c.Response.WriteAsync(cluster.Name)).Track(upstreams)).Port
                    : TestUpstream.Answering(cluster.Name).Track(upstreams).Port;
                config.PointClusterAt(cluster, port);
            }
            config.MoveListenersToEphemeralPorts();
            await using var proxy = await ProxyHarness.StartAsync(config.Yaml());
            using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };

            var asked = 0;
            foreach (var route in config.Routes)
            {
                var port = ((IPEndPoint)proxy.Server.ListenerAddresses[route.Listener]).Port;
                using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{port}{route.Path}");
                request.Headers.Host = route.Host;
                using var response = await client.SendAsync(request);
                var body = await response.Content.ReadAsStringAsync();
                output.WriteLine($"{route.Listener} {route.Host}{route.Path} -> {(int)response.StatusCode} {body.Trim()}");
                var localReplyOfItsOwnConfig = config.MayReplyLocally && (int)response.StatusCode is 429 or 503 or 400;
                if (!localReplyOfItsOwnConfig)
                {
                    Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                    Assert.Equal(route.Cluster, body);
                }
                asked++;
            }
            Assert.True(asked > 0, "no route names a cluster");
        }
        finally
        {
            foreach (var upstream in upstreams)
            {
                await upstream.DisposeAsync();
            }
        }
    }

    private static string? CorpusPath(string file) =>
        SharedFiles.RootPath is { } shared && Path.Combine(shared, "corpus", "envoy", file) is var path && (File.Exists(path) || Directory.Exists(path))
            ? path
            : null;

    /// <summary>A corpus file as a YAML tree, with the edits that move it onto loopback test ports.</summary>
    private sealed class CorpusConfig
    {
        private readonly YamlMappingNode _root;

        public CorpusConfig(string yaml)
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(yaml));
            _root = (YamlMappingNode)stream.Documents[0].RootNode;
            MayReplyLocally = yaml.Contains("envoy.filters.http.fault", StringComparison.Ordinal)
                || yaml.Contains("local_ratelimit", StringComparison.Ordinal);
        }

        public sealed record Cluster(string Name, bool Http2, YamlMappingNode Node);

        public sealed record Route(string Listener, string Host, string Path, string Cluster);

        private YamlSequenceNode Listeners => (YamlSequenceNode)Static["listeners"];

        private YamlMappingNode Static => (YamlMappingNode)_root["static_resources"];

        public IEnumerable<Cluster> Clusters => ((YamlSequenceNode)Static["clusters"]).Cast<YamlMappingNode>()
            .Select(c => new Cluster(Scalar(c, "name")!, c.Children.ContainsKey("http2_protocol_options"), c));

        /// <summary>Fault injection and rate limits answer some requests themselves, as their config says they should.</summary>
        public bool MayReplyLocally { get; }

        public IEnumerable<Route> Routes => Listeners.Cast<YamlMappingNode>().SelectMany((listener, index) =>
            ConnectionManagers(listener).SelectMany(hcm => VirtualHosts(hcm)).SelectMany(vhost =>
            {
                var domain = ((YamlSequenceNode)vhost["domains"]).Cast<YamlScalarNode>().First().Value!;
                var host = domain.Replace("*", "any", StringComparison.Ordinal);
                return ((YamlSequenceNode)vhost["routes"]).Cast<YamlMappingNode>()
                    .Where(r => r.Children.ContainsKey("route") && Scalar((YamlMappingNode)r["route"], "cluster") is not null)
                    .Select(r => (Match: (YamlMappingNode)r["match"], Cluster: Scalar((YamlMappingNode)r["route"], "cluster")!))
                    .Where(r => Scalar(r.Match, "prefix") is not null || Scalar(r.Match, "path") is not null)
                    .Select(r => new Route(Scalar(listener, "name") ?? $"listener_{index}", host, Scalar(r.Match, "path") ?? Scalar(r.Match, "prefix")!, r.Cluster));
            }));

        public void PointClusterAt(Cluster cluster, int port)
        {
            foreach (var address in Descendants(cluster.Node, "socket_address"))
            {
                address.Children[new YamlScalarNode("address")] = new YamlScalarNode("127.0.0.1");
                address.Children[new YamlScalarNode("port_value")] = new YamlScalarNode(port.ToString());
            }
            foreach (var check in Descendants(cluster.Node, "health_check_config"))
            {
                check.Children[new YamlScalarNode("port_value")] = new YamlScalarNode(port.ToString());
            }
        }

        public void MoveListenersToEphemeralPorts()
        {
            var listenersAndAdmin = Listeners.Cast<YamlMappingNode>().Select(l => (YamlMappingNode)l["address"])
                .Concat(_root.Children.ContainsKey("admin") ? [(YamlMappingNode)((YamlMappingNode)_root["admin"])["address"]] : []);
            foreach (var address in listenersAndAdmin.Select(a => (YamlMappingNode)a["socket_address"]))
            {
                address.Children[new YamlScalarNode("address")] = new YamlScalarNode("127.0.0.1");
                address.Children[new YamlScalarNode("port_value")] = new YamlScalarNode("0");
            }
        }

        public string Yaml()
        {
            var writer = new StringWriter();
            new YamlStream(new YamlDocument(_root)).Save(writer, assignAnchors: false);
            return writer.ToString();
        }

        private static IEnumerable<YamlMappingNode> ConnectionManagers(YamlMappingNode listener) =>
            ((YamlSequenceNode)listener["filter_chains"]).Cast<YamlMappingNode>()
                .SelectMany(chain => ((YamlSequenceNode)chain["filters"]).Cast<YamlMappingNode>())
                .Where(f => f.Children.ContainsKey("typed_config"))
                .Select(f => (YamlMappingNode)f["typed_config"])
                .Where(c => c.Children.ContainsKey("route_config"));

        private static IEnumerable<YamlMappingNode> VirtualHosts(YamlMappingNode hcm) =>
            ((YamlMappingNode)hcm["route_config"]).Children.TryGetValue(new YamlScalarNode("virtual_hosts"), out var hosts)
                ? ((YamlSequenceNode)hosts).Cast<YamlMappingNode>()
                : [];

        private static IEnumerable<YamlMappingNode> Descendants(YamlNode node, string key) => node switch
        {
            YamlMappingNode map => map.Children.SelectMany(kv =>
                (kv.Key is YamlScalarNode { Value: var name } && name == key && kv.Value is YamlMappingNode found ? [found] : Enumerable.Empty<YamlMappingNode>())
                    .Concat(Descendants(kv.Value, key))),
            YamlSequenceNode list => list.SelectMany(child => Descendants(child, key)),
            _ => [],
        };

        private static string? Scalar(YamlMappingNode map, string key) =>
            map.Children.TryGetValue(new YamlScalarNode(key), out var value) && value is YamlScalarNode scalar ? scalar.Value : null;
    }
}

internal static class DisposableTracking
{
    public static T Track<T>(this T disposable, List<IAsyncDisposable> owner)
        where T : IAsyncDisposable
    {
        owner.Add(disposable);
        return disposable;
    }

    public static async Task<T> Track<T>(this Task<T> starting, List<IAsyncDisposable> owner)
        where T : IAsyncDisposable => (await starting).Track(owner);
}
