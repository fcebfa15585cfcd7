using ActorMesh.Config;
using ActorMesh.Routing;
using Xunit;

namespace ActorMesh.Tests.Routing;

public sealed class RouteTableTests
{
    private static VirtualHostConfig Host(string name, params string[] domains) =>
        new(name, domains.ToEquatableArray(), new[] { new RouteConfig(null, new RouteMatchConfig(PathMatchKind.Prefix, "/"), new RouteActionConfig(name)) }.ToEquatableArray());

    private static readonly RouteTable Table = new(new RouteConfiguration("r", new[]
    {
        Host("any", "*"),
        Host("prefix", "api.*"),
        Host("short-suffix", "*.com"),
        Host("long-suffix", "*.example.com"),
        Host("exact", "www.example.com"),
    }.ToEquatableArray()));

    [Theory]
    [InlineData("www.example.com", "exact")]
    [InlineData("WWW.Example.COM", "exact")]
    [InlineData("www.example.com:8080", "exact")]
    [InlineData("shop.example.com", "long-suffix")]
    [InlineData("example.com", "short-suffix")]
    [InlineData("api.internal", "prefix")]
    [InlineData("api.example.com", "long-suffix")]
    [InlineData("localhost", "any")]
    [InlineData("", "any")]
    public void Virtual_host_is_chosen_in_envoys_order(string host, string expected) =>
        Assert.Equal(expected, Table.SelectVirtualHost(host)!.Name);

    [Fact]
    public void First_matching_route_wins_and_path_matches_ignore_the_query_in_the_caller()
    {
        var vh = new VirtualHostConfig("v", new[] { "*" }.ToEquatableArray(), new[]
        {
            new RouteConfig(null, new RouteMatchConfig(PathMatchKind.Path, "/a"), new RouteActionConfig("exact-a")),
            new RouteConfig(null, new RouteMatchConfig(PathMatchKind.Prefix, "/a"), new RouteActionConfig("prefix-a")),
            new RouteConfig(null, new RouteMatchConfig(PathMatchKind.Prefix, "/"), new RouteActionConfig("root")),
        }.ToEquatableArray());
        var table = new RouteTable(new RouteConfiguration("r", new[] { vh }.ToEquatableArray()));

        Assert.Equal("exact-a", table.Match("h", "/a")!.Cluster);
        Assert.Equal("prefix-a", table.Match("h", "/ab")!.Cluster);
        Assert.Equal("root", table.Match("h", "/b")!.Cluster);
    }

    [Fact]
    public void No_domain_and_no_default_means_no_route()
    {
        var table = new RouteTable(new RouteConfiguration("r", new[] { Host("only", "only.example") }.ToEquatableArray()));
        Assert.Null(table.Match("other.example", "/"));
    }
}
