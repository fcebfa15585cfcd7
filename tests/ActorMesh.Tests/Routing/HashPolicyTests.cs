using System.Net;
using ActorMesh.Config;
using ActorMesh.Routing;
using Xunit;
using static ActorMesh.Tests.Routing.RoutingYaml;

namespace ActorMesh.Tests.Routing;

public sealed class HashPolicyTests
{
    [Theory]
    [InlineData("", 0xEF46DB3751D8E999UL)]
    [InlineData("a", 0xD24EC4F1A98C6E5BUL)]
    [InlineData("abc", 0x44BC2CF5AD770999UL)]
    public void XxHash64_matches_the_reference_vectors(string input, ulong expected) => Assert.Equal(expected, XxHash64.Hash(input));

    [Fact]
    public void XxHash64_handles_long_inputs_deterministically()
    {
        var text = new string('z', 1000);
        Assert.Equal(XxHash64.Hash(text), XxHash64.Hash(text));
        Assert.NotEqual(XxHash64.Hash(text), XxHash64.Hash(text + "z"));
    }

    [Fact]
    public void Same_header_value_gives_the_same_hash_and_another_value_another()
    {
        var policy = new HashPolicy([new HashPolicyConfig(HashPolicyKind.Header, "x-user", false)]);

        var a1 = policy.Compute(Request("/", ("x-user", "alice")), null);
        var a2 = policy.Compute(Request("/other", ("x-user", "alice")), IPAddress.Loopback);
        var b = policy.Compute(Request("/", ("x-user", "bob")), null);

        Assert.NotNull(a1);
        Assert.Equal(a1, a2);
        Assert.NotEqual(a1, b);
        Assert.Null(policy.Compute(Request("/"), null));
    }

    [Fact]
    public void Cookie_query_and_source_ip_policies_hash_their_value()
    {
        Assert.Equal(XxHash64.Hash("s1"), new HashPolicy([new(HashPolicyKind.Cookie, "session", false)]).Compute(Request("/", ("cookie", "a=b; session=s1")), null));
        Assert.Equal(XxHash64.Hash("7"), new HashPolicy([new(HashPolicyKind.QueryParameter, "id", false)]).Compute(Request("/?x=1&id=7"), null));
        Assert.Equal(XxHash64.Hash("10.0.0.1"), new HashPolicy([new(HashPolicyKind.SourceIp, "", false)]).Compute(Request("/"), IPAddress.Parse("10.0.0.1")));
    }

    [Fact]
    public void Policies_combine_and_a_terminal_one_that_yields_stops_the_list()
    {
        var header = XxHash64.Hash("h");
        var ip = XxHash64.Hash("10.0.0.1");
        var source = IPAddress.Parse("10.0.0.1");
        var request = Request("/", ("x-h", "h"));

        var combined = new HashPolicy([new(HashPolicyKind.Header, "x-h", false), new(HashPolicyKind.SourceIp, "", false)]).Compute(request, source);
        var terminal = new HashPolicy([new(HashPolicyKind.Header, "x-h", true), new(HashPolicyKind.SourceIp, "", false)]).Compute(request, source);
        var terminalMissing = new HashPolicy([new(HashPolicyKind.Header, "x-absent", true), new(HashPolicyKind.SourceIp, "", false)]).Compute(request, source);

        Assert.Equal(((header << 1) | (header >> 63)) ^ ip, combined);
        Assert.Equal(header, terminal);
        Assert.Equal(ip, terminalMissing);
    }

    [Fact]
    public void Route_hash_policy_is_compiled_from_config()
    {
        var route = Table("routes:\n- match: { prefix: / }\n  route: { cluster: backend, hash_policy: [ { header: { header_name: x-user } }, { connection_properties: { source_ip: true }, terminal: true } ] }").Match("h", "/")!;
        Assert.Equal(XxHash64.Hash("u"), route.HashPolicy.Compute(Request("/", ("x-user", "u")), null));
    }
}
