using ActorMesh.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace ActorMesh.Tests.Listeners;

/// <summary>
/// Envoy's own demo config (configs/envoy-demo.yaml from the shared corpus; skipped when the corpus is absent): its
/// listener_1 has an empty route table and a local_reply_config that answers GETs with an HTML page.
/// </summary>
public sealed class LocalReplyCorpusTests(ITestOutputHelper output)
{
    private const string CorpusFile = "envoyproxy-envoy__configs_envoy-demo.yaml";

    private const string WelcomePage =
        "<html>\n"
        + "  <body>\n"
        + "    <h1>Welcome to Envoy</h1>\n"
        + "    <h2>\n"
        + "      check out the <a href='https://www.envoyproxy.io'>Envoy website</a>\n"
        + "      and <a href='https://www.envoyproxy.io/docs'>documentation</a>\n"
        + "    </h2>\n"
        + "  </body>\n"
        + "</html>\n";

    /// <summary>
    /// The corpus file with its listeners on ephemeral loopback ports (the file binds 0.0.0.0:10000 and
    /// 127.0.0.1:10001); the cluster keeps its endpoint, which these requests never reach.
    /// </summary>
    private static string? DemoYaml()
    {
        if (SharedFiles.RootPath is not { } shared || !File.Exists(Path.Combine(shared, "corpus", "envoy", CorpusFile)))
        {
            return null;
        }
        var yaml = File.ReadAllText(Path.Combine(shared, "corpus", "envoy", CorpusFile));
        var clusters = yaml.IndexOf("\n  clusters:", StringComparison.Ordinal);
        var listeners = yaml[..clusters]
            .Replace("address: 0.0.0.0", "address: 127.0.0.1", StringComparison.Ordinal)
            .Replace("port_value: 10000", "port_value: 0", StringComparison.Ordinal)
            .Replace("port_value: 10001", "port_value: 0", StringComparison.Ordinal);
        return listeners + yaml[clusters..];
    }

    [Fact]
    public async Task The_demo_answers_a_get_on_listener_1_with_its_html_page_and_a_post_with_an_empty_404()
    {
        if (DemoYaml() is not { } yaml)
        {
            output.WriteLine($"shared corpus file {CorpusFile} not found; nothing to check");
            return;
        }
        await using var proxy = await ProxyHarness.StartAsync(yaml);
        var port = proxy.Port("listener_1");

        var get = await RawResponse.Exchange(port, "GET / HTTP/1.1\r\nHost: localhost\r\nconnection: close\r\n\r\n");
        var post = await RawResponse.Exchange(port, "POST /submit HTTP/1.1\r\nHost: localhost\r\ncontent-length: 2\r\nconnection: close\r\n\r\nhi");

        Assert.Equal(404, get.Status);
        Assert.Equal("text/html; charset=UTF-8", get.Header("content-type"));
        Assert.Equal(WelcomePage, get.Body);
        Assert.Equal(404, post.Status);
        Assert.Equal("", post.Body);
        Assert.Null(post.Header("content-type"));
        Assert.Equal("0", post.Header("content-length"));
    }
}
