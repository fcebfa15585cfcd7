namespace ActorMesh.Config;

/// <summary>Envoy's <c>RetryPolicy</c> at route and virtual host level.</summary>
internal static class RetryPolicyReader
{
    private const string PreviousHosts = "envoy.retry_host_predicates.previous_hosts";

    public static RetryPolicyConfig? Read(YamlMap policy, ConfigReadContext context)
    {
        var ok = true;
        var retryOn = RetryOn.None;
        if (policy.Scalar("retry_on") is { } list)
        {
            retryOn = RetryOnParser.Parse(list, out var unknown);
            if (unknown is not null)
            {
                ok = false;
                policy.Error("retry_on", RetryOnParser.GrpcValues.Contains(unknown)
                    ? $"gRPC retry condition '{unknown}' is not supported"
                    : $"unknown retry condition '{unknown}'");
            }
        }
        var numRetries = policy.Integer("num_retries", 0, uint.MaxValue);
        var perTry = policy.Duration("per_try_timeout");
        var codes = policy.Sequence("retriable_status_codes")
            .Select(item => context.AsScalar(item.Node, item.Path) is { } text && int.TryParse(text, out var code) && code is >= 100 and <= 599 ? code : (int?)null)
            .ToList();
        if (codes.Any(c => c is null))
        {
            ok = false;
            policy.Error("retriable_status_codes", "every entry must be an HTTP status code (100-599)");
        }
        var headers = ReadResults.AllOrNull(policy.Sequence("retriable_headers").Select(h => RouteMatchReader.ReadHeader(h, context)));
        var requestHeaders = ReadResults.AllOrNull(policy.Sequence("retriable_request_headers").Select(h => RouteMatchReader.ReadHeader(h, context)));
        var hostAttempts = policy.Integer("host_selection_retry_max_attempts", 0, long.MaxValue);
        var avoidPrevious = ReadHostPredicates(policy, context, ref ok);
        TimeSpan? baseInterval = null;
        TimeSpan? maxInterval = null;
        if (policy.Map("retry_back_off") is { } backOff)
        {
            baseInterval = backOff.Duration("base_interval");
            maxInterval = backOff.Duration("max_interval");
            if (baseInterval is null && !backOff.Has("base_interval"))
            {
                backOff.Missing("base_interval");
                ok = false;
            }
            else if (baseInterval is { } b && b < TimeSpan.FromMilliseconds(1))
            {
                backOff.Error("base_interval", "must be at least 1ms");
                ok = false;
            }
            if (maxInterval is { } m && baseInterval is { } bi && m < bi)
            {
                backOff.Error("max_interval", "must not be less than base_interval");
                ok = false;
            }
        }
        if (!ok || headers is null || requestHeaders is null)
        {
            return null;
        }
        return new RetryPolicyConfig(retryOn)
        {
            NumRetries = (uint)(numRetries ?? RetryPolicyConfig.DefaultNumRetries),
            PerTryTimeout = perTry ?? TimeSpan.Zero,
            BaseInterval = baseInterval ?? RetryPolicyConfig.DefaultBaseInterval,
            MaxInterval = maxInterval,
            RetriableStatusCodes = codes.Select(c => c!.Value).ToEquatableArray(),
            RetriableHeaders = headers.Value,
            RetriableRequestHeaders = requestHeaders.Value,
            HostSelectionRetryMaxAttempts = hostAttempts ?? 1,
            AvoidPreviousHosts = avoidPrevious,
        };
    }

    /// <summary><c>retry_host_predicate</c>: only <c>previous_hosts</c>, by <c>name</c> or <c>typed_config</c>.</summary>
    private static bool ReadHostPredicates(YamlMap policy, ConfigReadContext context, ref bool ok)
    {
        var avoid = false;
        foreach (var item in policy.Sequence("retry_host_predicate"))
        {
            if (context.AsMap(item.Node, item.Path) is not { } predicate)
            {
                ok = false;
                continue;
            }
            var name = predicate.Scalar("name");
            var typeUrl = predicate.Map("typed_config") is { } typed ? typed.Scalar("@type") : null;
            if (name == PreviousHosts || (typeUrl?.EndsWith("PreviousHostsPredicate", StringComparison.Ordinal) ?? false))
            {
                avoid = true;
                continue;
            }
            ok = false;
            context.Unsupported(item.Path, item.Node.Start, $"retry host predicate '{name ?? typeUrl}' is not supported (only {PreviousHosts})");
        }
        return avoid;
    }
}
