using ActorMesh.Config;
using ActorMesh.Tests.Support;
using Microsoft.AspNetCore.Http;
using Xunit;
using Xunit.Abstractions;

namespace ActorMesh.Tests.Upstream;

/// <summary>
/// Envoy's front-proxy example, whose clusters set <c>http2_protocol_options: {}</c>, served as written apart from
/// its addresses: the listener and admin move to ephemeral ports on 127.0.0.1, the services to h2c test upstreams.
/// </summary>
public sealed class Http2CorpusTests(ITestOutputHelper output)
{
    private const string FrontEnvoy = "envoyproxy-envoy__examples_front-proxy_front-envoy.yaml";

    private static string? CorpusFile() =>
        SharedFiles.RootPath is { } shared && Path.Combine(shared, "corpus", "envoy", FrontEnvoy) is var path && File.Exists(path) ? path : null;

    [Fact]
    public void The_front_proxy_example_validates_with_http2_clusters()
    {
        if (CorpusFile() is not { } path)
        {
            output.WriteLine("shared corpus not found; nothing to check");
            return;
        }
        var result = ConfigLoader.LoadFile(path);

        Assert.True(result.IsValid, string.Join("; ", result.Errors));
        Assert.All(result.Config!.StaticResources.Clusters, c => Assert.Equal(Http2ProtocolOptionsConfig.Default, c.Http2ProtocolOptions));
    }

    [Fact]
    public async Task The_front_proxy_example_serves_both_services_over_h2c()
    {
        if (CorpusFile() is not { } path)
        {
            output.WriteLine("shared corpus not found; nothing to check");
            return;
        }
        await using var service1 = await H2cUpstream.StartAsync(c => c.Response.WriteAsync($"service1 {c.Request.Protocol} {c.Request.Path}"));
        await using var service2 = await H2cUpstream.StartAsync(c => c.Response.WriteAsync($"service2 {c.Request.Protocol} {c.Request.Path}"));
        var yaml = Replace(File.ReadAllText(path),
            ("address: 0.0.0.0\n        port_value: 80\n", "address: 127.0.0.1\n        port_value: 0\n"),
            ("address: service1\n                port_value: 80\n", $"address: 127.0.0.1\n                port_value: {service1.Port}\n"),
            ("address: service2\n                port_value: 80\n", $"address: 127.0.0.1\n                port_value: {service2.Port}\n"),
            ("address: 0.0.0.0\n      port_value: 8001\n", "address: 127.0.0.1\n      port_value: 0\n"));
        await using var proxy = await ProxyHarness.StartAsync(yaml);
        using var client = new HttpClient();
        var url = $"http://127.0.0.1:{proxy.Port("listener_0")}";

        Assert.Equal("service1 HTTP/2 /service/1", await client.GetStringAsync(url + "/service/1"));
        Assert.Equal("service2 HTTP/2 /service/2", await client.GetStringAsync(url + "/service/2"));
        Assert.Equal(1, proxy.Stat("cluster.service1.upstream_cx_http2_total"));
        Assert.Equal(1, proxy.Stat("cluster.service2.upstream_cx_http2_total"));
    }

    private static string Replace(string yaml, params (string From, string To)[] edits)
    {
        foreach (var (from, to) in edits)
        {
            Assert.Contains(from, yaml);
            yaml = yaml.Replace(from, to);
        }
        return yaml;
    }
}
