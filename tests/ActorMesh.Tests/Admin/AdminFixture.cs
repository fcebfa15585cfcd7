using System.Net;
using System.Text.Json;
using ActorMesh.Tests.Support;

namespace ActorMesh.Tests.Admin;

/// <summary>A proxy in front of one upstream, and an HTTP client for its admin port.</summary>
internal sealed class AdminFixture : IAsyncDisposable
{
    private AdminFixture(TestUpstream upstream, ProxyHarness proxy)
    {
        Upstream = upstream;
        Proxy = proxy;
        Admin = $"http://127.0.0.1:{proxy.AdminPort}";
    }

    public TestUpstream Upstream { get; }
    public ProxyHarness Proxy { get; }
    public HttpClient Client { get; } = new() { Timeout = TimeSpan.FromSeconds(10) };
    public string Admin { get; }
    public int ProxyPort => Proxy.Port("main");

    /// <param name="bootstrapPrefix">Top-level bootstrap fields put before the proxy config (e.g. <c>node</c>).</param>
    public static async Task<AdminFixture> StartAsync(string bootstrapPrefix = "")
    {
        var upstream = TestUpstream.Answering("x");
        try
        {
            return new AdminFixture(upstream, await ProxyHarness.StartAsync(bootstrapPrefix + ProxyHarness.SimpleConfig(upstream.Port)));
        }
        catch
        {
            await upstream.DisposeAsync();
            throw;
        }
    }

    public async Task<(HttpStatusCode Status, string Body)> Get(string pathAndQuery)
    {
        using var response = await Client.GetAsync(Admin + pathAndQuery);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public async Task<(HttpStatusCode Status, string Body)> Post(string pathAndQuery)
    {
        using var response = await Client.PostAsync(Admin + pathAndQuery, null);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public async Task<JsonElement> GetJson(string pathAndQuery)
    {
        var (status, body) = await Get(pathAndQuery);
        if (status != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"{pathAndQuery}: {(int)status} {body}");
        }
        using var doc = JsonDocument.Parse(body);
        return doc.RootElement.Clone();
    }

    /// <summary>A request through the proxy listener on a fresh connection.</summary>
    public async Task<string> ThroughProxy(string path = "/")
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        return await client.GetStringAsync($"http://127.0.0.1:{ProxyPort}{path}");
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Proxy.DisposeAsync();
        await Upstream.DisposeAsync();
    }
}
