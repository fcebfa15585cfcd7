using System.Net;
using Xunit;

namespace ActorMesh.Tests.Filters;

/// <summary>envoy.filters.http.local_ratelimit through a real proxy: the bucket's allowance, 429s, refills, per-route buckets.</summary>
public sealed class LocalRateLimitFilterTests
{
    private const string Stats = "http_local_rate_limiter.http_local_rate_limit.";

    private static string RateLimit(string bucket, string enforced = "100") =>
        "- name: envoy.filters.http.local_ratelimit\n"
        + "  typed_config:\n"
        + "    \"@type\": type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit\n"
        + "    stat_prefix: http_local_rate_limiter\n"
        + (bucket.Length == 0 ? "" : $"    token_bucket: {bucket}\n")
        + "    filter_enabled: { runtime_key: rl_enabled, default_value: { numerator: 100, denominator: HUNDRED } }\n"
        + $"    filter_enforced: {{ runtime_key: rl_enforced, default_value: {{ numerator: {enforced}, denominator: HUNDRED }} }}\n"
        + "    response_headers_to_add:\n"
        + "    - append_action: OVERWRITE_IF_EXISTS_OR_ADD\n"
        + "      header: { key: x-local-rate-limit, value: 'true' }\n";

    [Fact]
    public async Task The_bucket_allows_exactly_max_tokens_then_answers_429_with_RL()
    {
        await using var proxy = await FilterProxy.StartAsync(RateLimit("{ max_tokens: 3, tokens_per_fill: 3, fill_interval: 60s }"));

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, await proxy.Status("/x"));
        }
        using var limited = await proxy.Send("/x");

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal("local_rate_limited", await limited.Content.ReadAsStringAsync());
        Assert.Equal("true", FilterProxy.Header(limited, "x-envoy-ratelimited"));
        Assert.Equal("true", FilterProxy.Header(limited, "x-local-rate-limit"));
        Assert.Equal(3, proxy.Upstream.Requests);
        Assert.Equal(4, proxy.Stat(Stats + "enabled"));
        Assert.Equal(3, proxy.Stat(Stats + "ok"));
        Assert.Equal(1, proxy.Stat(Stats + "rate_limited"));
        Assert.Equal(1, proxy.Stat(Stats + "enforced"));
        Assert.Equal(["200 -", "200 -", "200 -", "429 RL"], await proxy.LogLines(4));
    }

    [Fact]
    public async Task The_bucket_refills_by_tokens_per_fill_each_interval()
    {
        await using var proxy = await FilterProxy.StartAsync(RateLimit("{ max_tokens: 2, tokens_per_fill: 2, fill_interval: 0.5s }"));
        Assert.Equal(HttpStatusCode.OK, await proxy.Status("/x"));
        Assert.Equal(HttpStatusCode.OK, await proxy.Status("/x"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await proxy.Status("/x"));

        // The refill is a matter of time: nothing to await but the interval.
        await Task.Delay(TimeSpan.FromMilliseconds(600));

        Assert.Equal(HttpStatusCode.OK, await proxy.Status("/x"));
        Assert.Equal(HttpStatusCode.OK, await proxy.Status("/x"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await proxy.Status("/x"));
    }

    [Fact]
    public async Task Not_enforced_counts_the_limited_request_but_lets_it_through()
    {
        await using var proxy = await FilterProxy.StartAsync(RateLimit("{ max_tokens: 1, tokens_per_fill: 1, fill_interval: 60s }", enforced: "0"));

        Assert.Equal(HttpStatusCode.OK, await proxy.Status("/x"));
        Assert.Equal(HttpStatusCode.OK, await proxy.Status("/x"));

        Assert.Equal(1, proxy.Stat(Stats + "rate_limited"));
        Assert.Equal(0, proxy.Stat(Stats + "enforced"));
        Assert.Equal(2, proxy.Upstream.Requests);
    }

    [Fact]
    public async Task A_route_with_its_own_config_gets_its_own_bucket_and_others_are_not_limited()
    {
        var routes = "routes:\n"
            + "- match: { prefix: \"/limited\" }\n"
            + "  route: { cluster: backend }\n"
            + "  typed_per_filter_config:\n"
            + "    envoy.filters.http.local_ratelimit:\n"
            + "      \"@type\": type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit\n"
            + "      stat_prefix: route_limiter\n"
            + "      token_bucket: { max_tokens: 2, tokens_per_fill: 1, fill_interval: 60s }\n"
            + "      filter_enabled: { default_value: { numerator: 100 } }\n"
            + "      filter_enforced: { default_value: { numerator: 100 } }\n"
            + "- match: { prefix: \"/\" }\n"
            + "  route: { cluster: backend }";
        // The filter-level config has no bucket and the Envoy default of 0 % enabled: it limits nothing.
        var filter = "- name: envoy.filters.http.local_ratelimit\n"
            + "  typed_config:\n"
            + "    \"@type\": type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit\n"
            + "    stat_prefix: http_local_rate_limiter\n";
        await using var proxy = await FilterProxy.StartAsync(filter, routes);

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.OK, await proxy.Status("/open"));
        }
        Assert.Equal(HttpStatusCode.OK, await proxy.Status("/limited"));
        Assert.Equal(HttpStatusCode.OK, await proxy.Status("/limited"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await proxy.Status("/limited"));
        Assert.Equal(HttpStatusCode.OK, await proxy.Status("/open"));
        Assert.Equal(1, proxy.Stat("route_limiter.http_local_rate_limit.rate_limited"));
    }

    [Fact]
    public async Task Concurrent_requests_never_get_more_than_the_allowance()
    {
        await using var proxy = await FilterProxy.StartAsync(RateLimit("{ max_tokens: 10, tokens_per_fill: 10, fill_interval: 60s }"));

        var statuses = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => proxy.Status("/x")));

        Assert.Equal(10, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(30, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
    }
}
