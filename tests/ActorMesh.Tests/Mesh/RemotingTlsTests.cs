using System.Net;
using System.Text.Json.Nodes;
using ActorMesh.Mesh;
using ActorMesh.Tests.Support;
using Akka.Actor;
using Akka.Cluster;
using Akka.Configuration;
using Xunit;

namespace ActorMesh.Tests.Mesh;

/// <summary>
/// Remoting over TLS with mutual authentication: nodes whose certificates chain to the mesh CA form a cluster and
/// replicate versions; a node whose own certificate does not is refused by the node it tries to join.
/// </summary>
public sealed class RemotingTlsTests : IAsyncLifetime
{
    /// <summary>How long a refused node is watched: well past Akka's join retries (seed-node-timeout 5 s).</summary>
    private static readonly TimeSpan RefusedJoinWatch = TimeSpan.FromSeconds(12);

    private readonly TempDirectory _data = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly TestCertificates _meshCa = TestCertificates.CreateAuthority("actormesh test mesh CA");
    private TestUpstream _upstream = null!;

    public Task InitializeAsync()
    {
        _upstream = TestUpstream.Answering("ok");
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _upstream.DisposeAsync();
        _data.Dispose();
    }

    private RemotingTlsOptions MeshNodeTls(string name) =>
        new(_meshCa.WriteNodePkcs12(_data.Path, name)) { Password = TestCertificates.Password, TrustedCaPath = _meshCa.WriteAuthorityPem(_data.Path) };

    private Task<MeshTestNode> StartTlsNodeAsync(int index, Address? seed, string? firstYaml) =>
        MeshTestNode.StartAsync(index, seed, ConfigStorePersistence.Sqlite(Path.Combine(_data.Path, "node" + index)), firstYaml, null, keepLocalHistory: true,
            RemotingTls.Setup(MeshNodeTls("node" + index)), RemotingTls.Hocon);

    [Fact]
    public async Task Two_nodes_with_certificates_from_the_mesh_ca_form_a_cluster_over_tls_and_replicate_a_version()
    {
        var first = await StartTlsNodeAsync(1, null, MeshVersions.Version(1, _upstream.Port));
        MeshTestNode? second = null;
        try
        {
            Assert.Equal("akka.ssl.tcp", first.Address.Protocol);
            second = await StartTlsNodeAsync(2, first.Address, null);
            var both = new[] { first, second };
            await Eventually.Until(() => Cluster.Get(first.System).State.Members.Count(m => m.Status == MemberStatus.Up) == 2,
                TimeSpan.FromSeconds(20), () => "the second node never became Up over TLS");

            using var response = await _http.PostAsync(new Uri(second.Admin, "config"), new StringContent(MeshVersions.Version(2, _upstream.Port)));
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, body);
            Assert.Equal("2", (string?)JsonNode.Parse(body)!["version_info"]);
            await MeshTestCluster.AllOnVersionAsync(both, 2, TimeSpan.FromSeconds(5));
            foreach (var node in both)
            {
                Assert.Equal("ok", await _http.GetStringAsync(new Uri(node.Web, "v2")));
            }
        }
        finally
        {
            await Task.WhenAll(new[] { first, second }.OfType<MeshTestNode>().Select(n => n.KillAsync()));
        }
    }

    [Fact]
    public async Task A_node_whose_own_certificate_is_from_another_ca_never_becomes_up()
    {
        var first = await StartTlsNodeAsync(1, null, MeshVersions.Version(1, _upstream.Port));
        // The intruder trusts the mesh CA (so it accepts the seed's certificate) but presents one from its own CA:
        // only the seed's check of the client certificate (mutual authentication) keeps it out.
        var rogueCa = TestCertificates.CreateAuthority("rogue CA");
        var rogueTls = new RemotingTlsOptions(rogueCa.WriteNodePkcs12(_data.Path, "rogue"))
        {
            Password = TestCertificates.Password,
            TrustedCaPath = _meshCa.WriteAuthorityPem(_data.Path),
        };
        var rogue = ActorSystem.Create("actormesh", BootstrapSetup.Create()
            .WithConfig(RemotingTls.Hocon.WithFallback(ConfigurationFactory.ParseString("""
                akka.loglevel = WARNING
                akka.actor.provider = cluster
                akka.remote.dot-netty.tcp { hostname = 127.0.0.1, port = 0 }
                akka.coordinated-shutdown.run-by-clr-shutdown-hook = off
                """)))
            .And(RemotingTls.Setup(rogueTls)));
        try
        {
            Cluster.Get(rogue).Join(first.Address);
            var deadline = DateTime.UtcNow + RefusedJoinWatch;
            while (DateTime.UtcNow < deadline)
            {
                Assert.DoesNotContain(Cluster.Get(first.System).State.Members, m => m.Address.Equals(Cluster.Get(rogue).SelfAddress));
                Assert.NotEqual(MemberStatus.Up, Cluster.Get(rogue).SelfMember.Status);
                await Task.Delay(100);
            }
            Assert.Single(Cluster.Get(first.System).State.Members);
        }
        finally
        {
            await rogue.Terminate();
            await first.KillAsync();
        }
    }
}
