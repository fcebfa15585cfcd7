using ActorMesh.Config;
using ActorMesh.Routing;
using Xunit;

namespace ActorMesh.Tests.Routing;

public sealed class RedirectActionTests
{
    private static string Location(RedirectConfig config, string host = "example.com", string target = "/old/page?q=1", int matched = 4) =>
        new RedirectAction(config).Location("http", host, target, matched);

    [Fact]
    public void Keeps_what_is_not_redirected() => Assert.Equal("http://example.com/old/page?q=1", Location(new RedirectConfig()));

    [Fact]
    public void Scheme_redirect_keeps_a_port_that_is_not_the_old_default() =>
        Assert.Equal("https://example.com:8080/old/page?q=1", Location(new RedirectConfig { Scheme = "https" }, "example.com:8080"));

    [Fact]
    public void Scheme_redirect_drops_the_old_schemes_default_port()
    {
        Assert.Equal("https://example.com/x", Location(new RedirectConfig { Scheme = "https" }, "example.com:80", "/x"));
        Assert.Equal("http://example.com:80/x", Location(new RedirectConfig(), "example.com:80", "/x"));
    }

    [Fact]
    public void Port_redirect_replaces_the_port() =>
        Assert.Equal("http://example.com:9000/x", Location(new RedirectConfig { Port = 9000 }, "example.com:8080", "/x"));

    [Fact]
    public void Path_redirect_keeps_the_query_unless_it_has_its_own_or_strip_query()
    {
        Assert.Equal("http://example.com/new?q=1", Location(new RedirectConfig { PathRedirect = "/new" }));
        Assert.Equal("http://example.com/new?z=2", Location(new RedirectConfig { PathRedirect = "/new?z=2" }));
        Assert.Equal("http://example.com/new", Location(new RedirectConfig { PathRedirect = "/new", StripQuery = true }));
    }

    [Fact]
    public void Prefix_and_regex_rewrites_apply_to_the_path()
    {
        Assert.Equal("http://example.com/new/page?q=1", Location(new RedirectConfig { PrefixRewrite = "/new" }));
        Assert.Equal("http://example.com/old/PAGE", Location(new RedirectConfig { RegexRewrite = new RegexRewriteConfig("page", "PAGE"), StripQuery = true }));
    }

    [Fact]
    public void Host_redirect_replaces_the_host() =>
        Assert.Equal("https://other.example/old/page?q=1", Location(new RedirectConfig { Host = "other.example", Scheme = "https" }));

    [Fact]
    public void Regex_substitution_takes_re2_group_references() =>
        Assert.Equal("${2}-${1}$$", Re2Regex.TranslateSubstitution("\\2-\\1$"));
}
