using ActorMesh.Config;
using ActorMesh.Http;
using ActorMesh.Routing;
using Xunit;
using static ActorMesh.Tests.Upstream.UpstreamTestKit;
using HttpVersion = ActorMesh.Http.HttpVersion;

namespace ActorMesh.Tests.Routing;

/// <summary>Envoy's RetryStateImpl decisions, limits and back-off, without a proxy.</summary>
public sealed class RetryStateTests
{
    private static readonly HttpHeaders NoHeaders = new();

    private static HttpResponseHead Response(int status, params (string Name, string Value)[] headers)
    {
        var map = new HttpHeaders();
        foreach (var (name, value) in headers)
        {
            map.Add(name, value);
        }
        return new HttpResponseHead(status, "X", HttpVersion.Http11, map, BodyFraming.ContentLength, 0, true);
    }

    private static RetryPolicy Policy(RetryOn on, uint retries = 5, params int[] codes) =>
        new(new RetryPolicyConfig(on) { NumRetries = retries, RetriableStatusCodes = codes.ToEquatableArray() });

    [Theory]
    [InlineData(RetryOn.FiveXx, 500, true)]
    [InlineData(RetryOn.FiveXx, 404, false)]
    [InlineData(RetryOn.GatewayError, 503, true)]
    [InlineData(RetryOn.GatewayError, 500, false)]
    [InlineData(RetryOn.Retriable4xx, 409, true)]
    [InlineData(RetryOn.Retriable4xx, 400, false)]
    [InlineData(RetryOn.RetriableStatusCodes, 418, true)]
    [InlineData(RetryOn.ConnectFailure, 503, false)]
    public void Responses_are_retried_by_condition(RetryOn on, int status, bool retried)
    {
        var state = RetryState.Create(Policy(on, codes: 418), null, null, null, NoHeaders, Cluster())!;
        Assert.Equal(retried ? RetryStatus.Yes : RetryStatus.No, state.ShouldRetryHeaders(Response(status)));
    }

    [Theory]
    [InlineData(RetryOn.ConnectFailure, UpstreamResetReason.ConnectionFailure, true)]
    [InlineData(RetryOn.ConnectFailure, UpstreamResetReason.ConnectionTermination, false)]
    [InlineData(RetryOn.Reset, UpstreamResetReason.ConnectionTermination, true)]
    [InlineData(RetryOn.FiveXx, UpstreamResetReason.LocalReset, true)]
    [InlineData(RetryOn.GatewayError, UpstreamResetReason.ProtocolError, true)]
    [InlineData(RetryOn.Retriable4xx, UpstreamResetReason.ConnectionTermination, false)]
    public void Resets_are_retried_by_condition(RetryOn on, UpstreamResetReason reason, bool retried)
    {
        var state = RetryState.Create(Policy(on), null, null, null, NoHeaders, Cluster())!;
        Assert.Equal(retried ? RetryStatus.Yes : RetryStatus.No, state.ShouldRetryReset(reason, requestStarted: true));
    }

    [Fact]
    public void A_rate_limited_response_from_an_upstream_envoy_is_not_retried_on_5xx()
    {
        var state = RetryState.Create(Policy(RetryOn.FiveXx), null, null, null, NoHeaders, Cluster())!;
        Assert.Equal(RetryStatus.No, state.ShouldRetryHeaders(Response(503, ("x-envoy-ratelimited", "true"))));
    }

    [Fact]
    public void Retries_run_out_then_limit_exceeded_is_counted_and_success_follows_an_armed_retry()
    {
        var cluster = Cluster();
        var state = RetryState.Create(Policy(RetryOn.FiveXx, retries: 2), null, null, null, NoHeaders, cluster)!;

        Assert.Equal(RetryStatus.Yes, state.ShouldRetryHeaders(Response(503)));
        Assert.Equal(1, cluster.CircuitBreaker.Retries.Count);
        Assert.Equal(RetryStatus.Yes, state.ShouldRetryHeaders(Response(503)));
        Assert.Equal(RetryStatus.NoRetryLimitExceeded, state.ShouldRetryHeaders(Response(503)));
        Assert.Equal(0, cluster.CircuitBreaker.Retries.Count);
        Assert.Equal(2, cluster.RetryStats.UpstreamRqRetry.Value);
        Assert.Equal(1, cluster.RetryStats.UpstreamRqRetryLimitExceeded.Value);
        Assert.Equal(0, cluster.RetryStats.UpstreamRqRetrySuccess.Value);

        var succeeding = RetryState.Create(Policy(RetryOn.FiveXx), null, null, null, NoHeaders, cluster)!;
        succeeding.ShouldRetryHeaders(Response(503));
        Assert.Equal(RetryStatus.No, succeeding.ShouldRetryHeaders(Response(200)));
        Assert.Equal(1, cluster.RetryStats.UpstreamRqRetrySuccess.Value);
    }

    [Fact]
    public void Nothing_to_retry_allocates_no_state()
    {
        Assert.Null(RetryState.Create(null, null, null, null, NoHeaders, Cluster()));
        // retriable_request_headers that the request does not match switch retries off.
        var onlyGets = new RetryPolicy(new RetryPolicyConfig(RetryOn.FiveXx)
        {
            RetriableRequestHeaders = new[] { new HeaderMatcherConfig("x-retry", HeaderMatchKind.Present) }.ToEquatableArray(),
        });
        Assert.Null(RetryState.Create(onlyGets, null, null, null, NoHeaders, Cluster()));
        var marked = new HttpHeaders();
        marked.Add("x-retry", "1");
        Assert.NotNull(RetryState.Create(onlyGets, null, null, null, marked, Cluster()));
    }

    [Fact]
    public void Request_headers_add_conditions_and_override_num_retries()
    {
        var cluster = Cluster();
        var state = RetryState.Create(null, "retriable-4xx", "1", null, NoHeaders, cluster)!;

        Assert.Equal(RetryStatus.No, state.ShouldRetryHeaders(Response(503)));
        Assert.Equal(RetryStatus.Yes, state.ShouldRetryHeaders(Response(409)));
        Assert.Equal(RetryStatus.NoRetryLimitExceeded, state.ShouldRetryHeaders(Response(409)));

        var codes = RetryState.Create(Policy(RetryOn.RetriableStatusCodes), null, null, "420, 421", NoHeaders, cluster)!;
        Assert.Equal(RetryStatus.Yes, codes.ShouldRetryHeaders(Response(421)));
    }

    [Fact]
    public void The_retry_circuit_breaker_refuses_past_max_retries()
    {
        var config = LbConfig() with { CircuitBreakers = LbConfig().CircuitBreakers with { DefaultPriority = LbConfig().CircuitBreakers.DefaultPriority with { MaxRetries = 0 } } };
        var cluster = Cluster(config);
        var state = RetryState.Create(Policy(RetryOn.FiveXx), null, null, null, NoHeaders, cluster)!;

        Assert.Equal(RetryStatus.NoOverflow, state.ShouldRetryHeaders(Response(503)));
        Assert.Equal(1, cluster.Stats.Scope.Counter("upstream_rq_retry_overflow").Value);
    }

    [Fact]
    public void Back_off_is_fully_jittered_below_an_interval_that_doubles_up_to_the_cap()
    {
        var policy = new RetryPolicy(new RetryPolicyConfig(RetryOn.FiveXx) { BaseInterval = TimeSpan.FromMilliseconds(10), MaxInterval = TimeSpan.FromMilliseconds(35) });
        var caps = new[] { 10, 20, 35, 35, 35 };
        var seenAboveFirstCap = false;
        for (var run = 0; run < 200; run++)
        {
            var state = RetryState.Create(policy, null, null, null, NoHeaders, Cluster())!;
            foreach (var cap in caps)
            {
                var wait = state.NextBackOff().TotalMilliseconds;
                Assert.InRange(wait, 0, cap - 1);
                seenAboveFirstCap |= wait >= 10;
            }
        }
        Assert.True(seenAboveFirstCap, "the interval never grew past base_interval");
    }
}
