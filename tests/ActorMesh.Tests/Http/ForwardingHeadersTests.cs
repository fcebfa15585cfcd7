using System.Net;
using ActorMesh.Config;
using ActorMesh.Http;
using Xunit;

namespace ActorMesh.Tests.Http;

/// <summary>Envoy's documented XFF examples, each as Envoy's docs state the outcome.</summary>
public sealed class ForwardingHeadersTests
{
    private static (HttpHeaders Headers, IPAddress? Trusted) Apply(bool useRemoteAddress, int hops, string remote, string? xff)
    {
        var headers = new HttpHeaders();
        headers.Add("host", "a");
        if (xff is not null)
        {
            headers.Add("x-forwarded-for", xff);
        }
        headers.Add("x-envoy-internal", "true");
        var config = ForwardingConfig.Default with { UseRemoteAddress = useRemoteAddress, XffNumTrustedHops = hops };
        var trusted = ForwardingHeaders.Apply(headers, config, IPAddress.Parse(remote));
        return (headers, trusted);
    }

    [Fact]
    public void Example_1_edge_without_trusted_proxies()
    {
        var (headers, trusted) = Apply(true, 0, "192.0.2.5", "203.0.113.128, 203.0.113.10, 203.0.113.1");

        Assert.Equal(IPAddress.Parse("192.0.2.5"), trusted);
        Assert.Equal("192.0.2.5", headers.Get("x-envoy-external-address"));
        Assert.Equal("203.0.113.128, 203.0.113.10, 203.0.113.1, 192.0.2.5", headers.Get("x-forwarded-for"));
        Assert.Null(headers.Get("x-envoy-internal"));
    }

    [Fact]
    public void Example_2_internal_proxy_behind_the_edge()
    {
        var (headers, trusted) = Apply(false, 0, "10.11.12.13", "203.0.113.128, 203.0.113.10, 203.0.113.1, 192.0.2.5");

        Assert.Equal(IPAddress.Parse("192.0.2.5"), trusted);
        Assert.Null(headers.Get("x-envoy-external-address"));
        Assert.Equal("203.0.113.128, 203.0.113.10, 203.0.113.1, 192.0.2.5", headers.Get("x-forwarded-for"));
        Assert.Null(headers.Get("x-envoy-internal"));
    }

    [Fact]
    public void Example_3_edge_with_two_trusted_proxies_in_front()
    {
        var (headers, trusted) = Apply(true, 2, "192.0.2.5", "203.0.113.128, 203.0.113.10, 203.0.113.1");

        Assert.Equal(IPAddress.Parse("203.0.113.10"), trusted);
        Assert.Equal("203.0.113.10", headers.Get("x-envoy-external-address"));
        Assert.Equal("203.0.113.128, 203.0.113.10, 203.0.113.1, 192.0.2.5", headers.Get("x-forwarded-for"));
    }

    [Fact]
    public void Example_4_internal_proxy_behind_that_edge()
    {
        var (_, trusted) = Apply(false, 2, "10.11.12.13", "203.0.113.128, 203.0.113.10, 203.0.113.1, 192.0.2.5");

        Assert.Equal(IPAddress.Parse("203.0.113.10"), trusted);
    }

    [Fact]
    public void Example_6_a_single_internal_address_in_xff_is_internal()
    {
        var (headers, trusted) = Apply(false, 0, "10.20.30.50", "10.20.30.40");

        Assert.Equal(IPAddress.Parse("10.20.30.40"), trusted);
        Assert.Equal("true", headers.Get("x-envoy-internal"));
        Assert.Null(headers.Get("x-envoy-external-address"));
    }

    [Fact]
    public void Too_few_xff_entries_fall_back_to_the_peer_and_garbage_is_never_trusted()
    {
        Assert.Equal(IPAddress.Parse("192.0.2.5"), Apply(true, 3, "192.0.2.5", "203.0.113.1").Trusted);
        Assert.Equal(IPAddress.Parse("192.0.2.5"), Apply(false, 0, "192.0.2.5", "203.0.113.1, not-an-ip").Trusted);
    }

    [Fact]
    public void Forwarded_proto_is_trusted_only_with_trusted_hops()
    {
        var untrusted = new HttpHeaders();
        untrusted.Add("x-forwarded-proto", "https");
        ForwardingHeaders.Apply(untrusted, ForwardingConfig.Default, IPAddress.Loopback);
        var trusted = new HttpHeaders();
        trusted.Add("x-forwarded-proto", "https");
        ForwardingHeaders.Apply(trusted, ForwardingConfig.Default with { XffNumTrustedHops = 1 }, IPAddress.Loopback);

        Assert.Equal("http", untrusted.Get("x-forwarded-proto"));
        Assert.Equal("https", trusted.Get("x-forwarded-proto"));
    }

    [Theory]
    [InlineData("10.1.2.3", true)]
    [InlineData("172.16.0.1", true)]
    [InlineData("172.32.0.1", false)]
    [InlineData("192.168.9.9", true)]
    [InlineData("127.0.0.1", true)]
    [InlineData("127.0.0.2", false)]
    [InlineData("fd00::1", true)]
    [InlineData("fc00::1", false)]
    [InlineData("::1", true)]
    [InlineData("2001:db8::1", false)]
    [InlineData("::ffff:10.0.0.1", true)]
    public void Internal_means_rfc1918_fd00_and_the_loopback_address(string address, bool expected) =>
        Assert.Equal(expected, ForwardingHeaders.IsInternal(IPAddress.Parse(address)));
}
