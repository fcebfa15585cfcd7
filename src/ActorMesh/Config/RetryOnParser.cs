namespace ActorMesh.Config;

/// <summary>Envoy's <c>RetryStateImpl::parseRetryOn</c>: a comma list of conditions, from config or <c>x-envoy-retry-on</c>.</summary>
public static class RetryOnParser
{
    private static readonly Dictionary<string, RetryOn> Values = new(StringComparer.Ordinal)
    {
        ["5xx"] = RetryOn.FiveXx,
        ["gateway-error"] = RetryOn.GatewayError,
        ["connect-failure"] = RetryOn.ConnectFailure,
        ["retriable-4xx"] = RetryOn.Retriable4xx,
        ["refused-stream"] = RetryOn.RefusedStream,
        ["retriable-status-codes"] = RetryOn.RetriableStatusCodes,
        ["retriable-headers"] = RetryOn.RetriableHeaders,
        ["reset"] = RetryOn.Reset,
        ["reset-before-request"] = RetryOn.ResetBeforeRequest,
        ["envoy-ratelimited"] = RetryOn.EnvoyRateLimited,
    };

    /// <summary>gRPC status conditions Envoy also accepts in <c>retry_on</c>; ActorMesh proxies HTTP/1.1 only.</summary>
    public static readonly IReadOnlySet<string> GrpcValues = new HashSet<string>(StringComparer.Ordinal)
    {
        "cancelled", "deadline-exceeded", "internal", "resource-exhausted", "unavailable",
    };

    /// <summary>The known conditions in <paramref name="list"/>; <paramref name="unknown"/> is the first unknown one, if any.</summary>
    public static RetryOn Parse(string list, out string? unknown)
    {
        unknown = null;
        var result = RetryOn.None;
        foreach (var range in list.AsSpan().Split(','))
        {
            var token = list.AsSpan()[range].Trim();
            if (token.IsEmpty)
            {
                continue;
            }
            if (Values.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(token, out var value))
            {
                result |= value;
            }
            else
            {
                unknown ??= token.ToString();
            }
        }
        return result;
    }
}
