using ActorMesh.Config;
using Xunit;
using static ActorMesh.Tests.Routing.RoutingYaml;

namespace ActorMesh.Tests.Routing;

/// <summary><c>retry_policy</c> at route and virtual host level: Envoy's fields and defaults, errors with path and line.</summary>
public sealed class RetryPolicyConfigTests
{
    private const string Routes = "static_resources.listeners[0].filter_chains[0].filters[0].typed_config.route_config.virtual_hosts[0]";

    private static RetryPolicyConfig? PolicyOf(string routesYaml, string path = "/") =>
        Table(routesYaml).Match("any", path)!.RetryPolicy?.Config;

    [Fact]
    public void Every_supported_field_loads()
    {
        var policy = PolicyOf(
            "routes:\n- match: { prefix: / }\n  route:\n    cluster: backend\n    retry_policy:\n"
            + "      retry_on: \"5xx, gateway-error,connect-failure,retriable-4xx,refused-stream,reset,retriable-status-codes,retriable-headers\"\n"
            + "      num_retries: 4\n"
            + "      per_try_timeout: 0.25s\n"
            + "      retry_back_off: { base_interval: 0.1s, max_interval: 2s }\n"
            + "      retriable_status_codes: [418, 429]\n"
            + "      retriable_headers: [ { name: x-retry-me, string_match: { exact: \"yes\" } } ]\n"
            + "      retriable_request_headers: [ { name: \":method\", string_match: { exact: GET } } ]\n"
            + "      retry_host_predicate: [ { name: envoy.retry_host_predicates.previous_hosts } ]\n"
            + "      host_selection_retry_max_attempts: 5\n")!;

        Assert.Equal(RetryOn.FiveXx | RetryOn.GatewayError | RetryOn.ConnectFailure | RetryOn.Retriable4xx | RetryOn.RefusedStream
            | RetryOn.Reset | RetryOn.RetriableStatusCodes | RetryOn.RetriableHeaders, policy.RetryOn);
        Assert.Equal(4u, policy.NumRetries);
        Assert.Equal(TimeSpan.FromMilliseconds(250), policy.PerTryTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(100), policy.BaseInterval);
        Assert.Equal(TimeSpan.FromSeconds(2), policy.MaxInterval);
        Assert.Equal([418, 429], policy.RetriableStatusCodes.ToArray());
        Assert.Equal("x-retry-me", Assert.Single(policy.RetriableHeaders).Name);
        Assert.Equal(":method", Assert.Single(policy.RetriableRequestHeaders).Name);
        Assert.True(policy.AvoidPreviousHosts);
        Assert.Equal(5, policy.HostSelectionRetryMaxAttempts);
    }

    [Fact]
    public void Envoy_defaults_apply()
    {
        var policy = PolicyOf("routes:\n- match: { prefix: / }\n  route: { cluster: backend, retry_policy: { retry_on: 5xx } }")!;

        Assert.Equal(1u, policy.NumRetries);
        Assert.Equal(TimeSpan.Zero, policy.PerTryTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(25), policy.BaseInterval);
        Assert.Null(policy.MaxInterval);
        Assert.Equal(250, Table("routes:\n- match: { prefix: / }\n  route: { cluster: backend, retry_policy: { retry_on: 5xx } }").Match("any", "/")!.RetryPolicy!.MaxIntervalMs);
        Assert.False(policy.AvoidPreviousHosts);
    }

    [Fact]
    public void A_route_policy_replaces_the_virtual_host_policy_whole()
    {
        const string yaml = "retry_policy: { retry_on: connect-failure, num_retries: 3 }\n"
            + "routes:\n"
            + "- match: { prefix: /own }\n  route: { cluster: backend, retry_policy: { retry_on: 5xx } }\n"
            + "- match: { prefix: / }\n  route: { cluster: backend }";

        var own = PolicyOf(yaml, "/own")!;
        var inherited = PolicyOf(yaml, "/other")!;

        Assert.Equal(RetryOn.FiveXx, own.RetryOn);
        Assert.Equal(1u, own.NumRetries);
        Assert.Equal(RetryOn.ConnectFailure, inherited.RetryOn);
        Assert.Equal(3u, inherited.NumRetries);
    }

    [Fact]
    public void A_route_without_any_policy_has_none() =>
        Assert.Null(PolicyOf("routes:\n- match: { prefix: / }\n  route: { cluster: backend }"));

    [Theory]
    [InlineData("retry_on: \"5xx,bogus\"", ".routes[0].route.retry_policy.retry_on (line", "unknown retry condition 'bogus'")]
    [InlineData("retry_on: unavailable", ".routes[0].route.retry_policy.retry_on (line", "gRPC retry condition 'unavailable' is not supported")]
    [InlineData("retry_on: 5xx, per_try_idle_timeout: 1s", ".routes[0].route.retry_policy.per_try_idle_timeout (line", "unknown field")]
    [InlineData("retry_on: 5xx, retriable_status_codes: [700]", ".routes[0].route.retry_policy.retriable_status_codes (line", "HTTP status code")]
    [InlineData("retry_on: 5xx, retry_back_off: { max_interval: 1s }", ".routes[0].route.retry_policy.retry_back_off.base_interval (line", "missing required field")]
    [InlineData("retry_on: 5xx, retry_back_off: { base_interval: 1s, max_interval: 0.5s }", ".routes[0].route.retry_policy.retry_back_off.max_interval (line", "less than base_interval")]
    [InlineData("retry_on: 5xx, retry_host_predicate: [ { name: envoy.retry_host_predicates.omit_canary_hosts } ]", ".routes[0].route.retry_policy.retry_host_predicate[0] (line", "not supported")]
    [InlineData("retry_on: 5xx, num_retries: -1", ".routes[0].route.retry_policy.num_retries (line", "")]
    public void Invalid_policies_are_rejected_with_path_and_line(string fields, string path, string message)
    {
        var errors = Errors($"routes:\n- match: {{ prefix: / }}\n  route: {{ cluster: backend, retry_policy: {{ {fields} }} }}");

        var error = Assert.Single(errors).ToString();
        Assert.StartsWith(Routes + path, error);
        Assert.Contains(message, error);
    }

    [Fact]
    public void A_virtual_host_policy_is_checked_too()
    {
        var error = Assert.Single(Errors("retry_policy: { retry_on: nope }\nroutes:\n- match: { prefix: / }\n  route: { cluster: backend }")).ToString();
        Assert.StartsWith(Routes + ".retry_policy.retry_on (line", error);
    }

    [Theory]
    [InlineData("5xx", RetryOn.FiveXx, null)]
    [InlineData(" reset , connect-failure ,", RetryOn.Reset | RetryOn.ConnectFailure, null)]
    [InlineData("gateway-error,x", RetryOn.GatewayError, "x")]
    [InlineData("", RetryOn.None, null)]
    public void Retry_on_lists_parse_like_envoy(string list, RetryOn expected, string? unknown)
    {
        Assert.Equal(expected, RetryOnParser.Parse(list, out var bad));
        Assert.Equal(unknown, bad);
    }
}
