using System.Globalization;
using System.Text.Json.Nodes;
using ActorMesh.Tests.Mesh;
using ActorMesh.Tests.Support;
using Xunit;

namespace ActorMesh.Tests.Node;

/// <summary>
/// Two real <c>actormesh</c> processes with <c>--tls-cert</c>, <c>--tls-cert-password-file</c> and <c>--tls-ca</c>:
/// remoting runs over TLS (<c>akka.ssl.tcp</c> addresses) and the second node joins the first.
/// </summary>
public sealed partial class MeshNodeProcessTests
{
    [Fact]
    public async Task Two_mesh_nodes_started_with_tls_flags_form_one_cluster_over_tls()
    {
        var ca = TestCertificates.CreateAuthority("actormesh process test CA");
        var caPem = ca.WriteAuthorityPem(_dir.Path);
        var passwordFile = Path.Combine(_dir.Path, "tls-password");
        await File.WriteAllTextAsync(passwordFile, TestCertificates.Password + "\n");
        var file = Path.Combine(_dir.Path, "envoy.yaml");
        await File.WriteAllTextAsync(file, MeshVersions.Version(1, _upstream.Port));
        var seedPort = FreePort();
        var seed = $"akka.ssl.tcp://actormesh@127.0.0.1:{seedPort}";

        string[] Args(int n, int port) =>
        [
            "--cluster-port", port.ToString(CultureInfo.InvariantCulture), "--seed", seed,
            "--data-dir", Path.Combine(_dir.Path, "data" + n), "--admin-address", "127.0.0.1:0", "--bind-address", BindAddress,
            "--tls-cert", ca.WriteNodePkcs12(_dir.Path, "node" + n), "--tls-cert-password-file", passwordFile, "--tls-ca", caPem,
        ];

        using var first = NodeProcess.Start([.. Args(1, seedPort), "-c", file]);
        await first.WaitForOutput("admin on", Start);
        Assert.Contains($"mesh node {seed} serving config version 1", first.Stdout, StringComparison.Ordinal);
        // The second node binds the same wildcard listener port 0 on the same address: any free port.
        using var second = NodeProcess.Start(Args(2, 0));
        await second.WaitForOutput("admin on", Start);
        Assert.Contains("mesh node akka.ssl.tcp://actormesh@127.0.0.1:", second.Stdout, StringComparison.Ordinal);
        Assert.Contains("serving config version 1", second.Stdout, StringComparison.Ordinal);

        var (_, admin) = Addresses(first);
        using var http = new HttpClient { Timeout = Bound };
        var nodes = await Eventually.UntilAsync(
            async () => JsonNode.Parse(await http.GetStringAsync(admin + "config_status"))!["nodes"]!.AsArray(),
            n => n.Count == 2, Bound, n => $"config_status nodes: {n?.ToJsonString()}");
        Assert.All(nodes, n => Assert.StartsWith("akka.ssl.tcp://", (string?)n!["node"], StringComparison.Ordinal));

        second.SendSigterm();
        Assert.Equal(0, await second.WaitForExit(TimeSpan.FromSeconds(30)));
        first.SendSigterm();
        Assert.Equal(0, await first.WaitForExit(TimeSpan.FromSeconds(30)));
    }
}
