using ActorMesh.Tests.Support;
using Xunit;
using static ActorMesh.Tests.Upstream.UpstreamTestKit;

namespace ActorMesh.Tests.Upstream;

public sealed class LogicalDnsTests
{
    [Fact]
    public async Task Logical_dns_resolves_localhost_to_one_host()
    {
        await using var upstream = TestUpstream.Answering("resolved");
        await using var proxy = await ProxyHarness.StartAsync(ProxyHarness.ConfigWith(
            "routes:\n- match: { prefix: \"/\" }\n  route: { cluster: backend }", [upstream.Port],
            clusterType: "LOGICAL_DNS", endpointAddress: "localhost", clusterOptions: "dns_lookup_family: V4_ONLY\ndns_refresh_rate: 0.1s"));
        using var client = new HttpClient();

        Assert.Equal(5, (await Bodies(client, proxy.Port("main"), 5))["resolved"]);

        var clusters = await client.GetStringAsync($"http://127.0.0.1:{proxy.AdminPort}/clusters");
        Assert.Contains($"backend::127.0.0.1:{upstream.Port}::hostname::localhost", clusters);
        Assert.Equal(1, proxy.Stat("cluster.backend.membership_total"));
        // Several refreshes (every 0.1 s) pass; they keep the same host and its pooled connection.
        await Task.Delay(300);
        Assert.Equal(5, (await Bodies(client, proxy.Port("main"), 5))["resolved"]);
        Assert.Equal(1, upstream.Accepts);
    }
}
