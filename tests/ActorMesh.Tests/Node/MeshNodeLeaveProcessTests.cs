using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using ActorMesh.Tests.Mesh;
using ActorMesh.Tests.Support;
using Xunit;

namespace ActorMesh.Tests.Node;

/// <summary>
/// Graceful leave of a real mesh node: SIGTERM (and the admin's <c>/quitquitquit</c>) drain the node before it
/// leaves the cluster, and the ConfigStore singleton it hosted moves to the node that stays without losing a version.
/// </summary>
public sealed partial class MeshNodeProcessTests
{
    [Fact]
    public async Task Sigterm_drains_the_store_hosting_node_before_it_leaves_and_the_survivor_continues_the_history()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var slow = TestUpstream.Start(async (request, stream) =>
        {
            if (request.Header("x-hold") is not null)
            {
                held.TrySetResult();
                await gate.Task;
            }
            await TestUpstream.WriteResponse(stream, 200, "ok");
        });
        var file = Path.Combine(_dir.Path, "envoy.yaml");
        await File.WriteAllTextAsync(file, MeshVersions.Version(1, slow.Port));
        var seedPort = FreePort();
        string[] Args(int n, int port) =>
        [
            "--cluster-port", port.ToString(CultureInfo.InvariantCulture), "--seed", $"akka.tcp://actormesh@127.0.0.1:{seedPort}",
            "--data-dir", Path.Combine(_dir.Path, "data" + n), "--admin-address", "127.0.0.1:0", "--bind-address", BindAddress,
            "--drain-time-s", "20",
        ];

        using var first = NodeProcess.Start([.. Args(1, seedPort), "-c", file]);
        await first.WaitForOutput("admin on", Start);
        using var second = NodeProcess.Start(Args(2, 0));
        await second.WaitForOutput("admin on", Start);
        var (web1, admin1) = Addresses(first);
        var (_, admin2) = Addresses(second);
        using var http = new HttpClient { Timeout = Bound };
        using (var posted = await http.PostAsync(admin1 + "config", new StringContent(MeshVersions.Version(2, slow.Port))))
        {
            Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        }
        await Eventually.UntilAsync(() => StatusOf(web1 + "v2"), s => s == HttpStatusCode.OK, Bound, s => $"/v2 answered {s}");

        // A request in flight on a keep-alive connection when the node is told to stop.
        using var keepAlive = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        using var holding = new HttpRequestMessage(HttpMethod.Get, web1 + "stable");
        holding.Headers.Add("x-hold", "1");
        var inFlight = keepAlive.SendAsync(holding);
        await held.Task.WaitAsync(Bound);
        first.SendSigterm();
        await first.WaitForOutput("shutting down", Bound);

        // Draining: /ready says so, new connections are not served, the request in flight is still waited for.
        var ready = await Eventually.UntilAsync(() => GetAsync(admin1 + "ready"), r => r.Status == HttpStatusCode.ServiceUnavailable, Bound, r => $"/ready answered {r}");
        Assert.Equal("DRAINING", ready.Body.Trim());
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => GetAsync(web1 + "stable"));
        Assert.False(inFlight.IsCompleted);
        Assert.DoesNotContain("left the cluster", first.Stdout, StringComparison.Ordinal);

        gate.SetResult();
        using (var response = await inFlight)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.True(response.Headers.ConnectionClose, "the last response on a draining keep-alive connection says connection: close");
        }
        Assert.Equal(0, await first.WaitForExit(TimeSpan.FromSeconds(40)));
        var stdout = first.Stdout;
        var drained = stdout.IndexOf("listeners drained", StringComparison.Ordinal);
        var left = stdout.IndexOf("left the cluster", StringComparison.Ordinal);
        Assert.True(drained > 0 && left > drained, "drain, then leave:\n" + stdout);

        // The store moved to the second node with the whole history: the next version is 3, not a restart at 1 or 2.
        var next = await Eventually.UntilAsync(
            async () =>
            {
                using var posted = await http.PostAsync(admin2 + "config", new StringContent(MeshVersions.Version(3, slow.Port)));
                return (posted.StatusCode, Body: await posted.Content.ReadAsStringAsync());
            },
            r => r.StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(30), r => $"POST /config on the survivor: {r}");
        Assert.Equal("3", (string?)JsonNode.Parse(next.Body)!["version_info"]);

        // /quitquitquit takes the same way out.
        using (var quit = await http.PostAsync(admin2 + "quitquitquit", null))
        {
            Assert.Equal(HttpStatusCode.OK, quit.StatusCode);
        }
        Assert.Equal(0, await second.WaitForExit(TimeSpan.FromSeconds(40)));
        Assert.Contains("QuitQuitQuitReason", second.Stdout, StringComparison.Ordinal);
        Assert.Contains("listeners drained", second.Stdout, StringComparison.Ordinal);
    }

    private static async Task<(HttpStatusCode Status, string Body)> GetAsync(string url)
    {
        using var client = new HttpClient { Timeout = Bound };
        using var response = await client.GetAsync(url);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
