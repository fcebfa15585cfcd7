using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ActorMesh.Tests.Mesh;
using ActorMesh.Tests.Support;
using Xunit;

namespace ActorMesh.Tests.Node;

/// <summary>
/// <c>actormesh</c> as a real mesh node process: <c>--seed</c> (itself), <c>--data-dir</c>, <c>--admin-address</c>,
/// <c>--bind-address</c>; versions from <c>POST /config</c> and <c>--watch</c> go through the store, and a restart
/// serves the stored version, not the file.
/// </summary>
public sealed partial class MeshNodeProcessTests : IAsyncLifetime
{
    private const string BindAddress = "127.0.0.5";
    private static readonly TimeSpan Start = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);

    private readonly TempDirectory _dir = new();
    private TestUpstream _upstream = null!;

    public Task InitializeAsync()
    {
        _upstream = TestUpstream.Answering("ok");
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _upstream.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task A_mesh_node_stores_versions_from_the_admin_and_the_file_and_serves_the_stored_one_after_a_restart()
    {
        var file = Path.Combine(_dir.Path, "envoy.yaml");
        await File.WriteAllTextAsync(file, MeshVersions.Version(1, _upstream.Port));
        var clusterPort = FreePort();
        string[] args =
        [
            "-c", file, "--watch", "--cluster-port", clusterPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--seed", $"akka.tcp://actormesh@127.0.0.1:{clusterPort}", "--data-dir", Path.Combine(_dir.Path, "data"),
            "--admin-address", "127.0.0.1:0", "--bind-address", BindAddress,
        ];

        using (var node = NodeProcess.Start(args))
        {
            await node.WaitForOutput("watching", Start);
            Assert.Contains("serving config version 1", node.Stdout, StringComparison.Ordinal);
            var (web, admin) = Addresses(node);
            Assert.Equal(HttpStatusCode.OK, await StatusOf(web + "v1"));

            using var http = new HttpClient { Timeout = Bound };
            using var posted = await http.PostAsync(admin + "config", new StringContent(MeshVersions.Version(2, _upstream.Port)));
            Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
            Assert.Equal("2", (string?)JsonNode.Parse(await posted.Content.ReadAsStringAsync())!["version_info"]);
            await Eventually.UntilAsync(() => StatusOf(web + "v2"), s => s == HttpStatusCode.OK, Bound, s => $"/v2 answered {s}");

            await File.WriteAllTextAsync(file, MeshVersions.Version(3, _upstream.Port));
            await node.WaitForOutput("stored as config version 3", Bound);
            await Eventually.UntilAsync(() => StatusOf(web + "v3"), s => s == HttpStatusCode.OK, Bound, s => $"/v3 answered {s}");
            var status = JsonNode.Parse(await http.GetStringAsync(admin + "config_status"))!;
            Assert.Equal("3", (string?)status["nodes"]![0]!["version_info"]);

            node.SendSigterm();
            Assert.Equal(0, await node.WaitForExit(TimeSpan.FromSeconds(30)));
        }

        // The file says version 1 again; the store's version 3 wins.
        await File.WriteAllTextAsync(file, MeshVersions.Version(1, _upstream.Port));
        using (var node = NodeProcess.Start(args))
        {
            await node.WaitForOutput("watching", Start);
            Assert.Contains("serving config version 3", node.Stdout, StringComparison.Ordinal);
            var (web, _) = Addresses(node);
            Assert.Equal(HttpStatusCode.OK, await StatusOf(web + "v3"));
            Assert.Equal(HttpStatusCode.NotFound, await StatusOf(web + "v1"));
            node.SendSigterm();
            Assert.Equal(0, await node.WaitForExit(TimeSpan.FromSeconds(30)));
        }
    }

    private static (string Web, string Admin) Addresses(NodeProcess node) =>
        ($"http://{BindAddress}:{ListenerPort().Match(node.Stdout).Groups[1].Value}/",
         $"http://127.0.0.1:{AdminPort().Match(node.Stdout).Groups[1].Value}/");

    /// <summary>A request on a new connection, which always runs the version served when it was accepted.</summary>
    private static async Task<HttpStatusCode> StatusOf(string url)
    {
        using var client = new HttpClient { Timeout = Bound };
        using var response = await client.GetAsync(url);
        return response.StatusCode;
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    [GeneratedRegex(@"listener web on 127\.0\.0\.5:(\d+)")]
    private static partial Regex ListenerPort();

    [GeneratedRegex(@"admin on 127\.0\.0\.1:(\d+)")]
    private static partial Regex AdminPort();
}
