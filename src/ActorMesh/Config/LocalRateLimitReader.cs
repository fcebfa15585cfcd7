namespace ActorMesh.Config;

/// <summary>Envoy's <c>LocalRateLimit</c>, at the filter or as a route's <c>typed_per_filter_config</c>.</summary>
internal static class LocalRateLimitReader
{
    public const string Name = "envoy.filters.http.local_ratelimit";

    // Envoy's minimum fill_interval.
    private static readonly TimeSpan MinFillInterval = TimeSpan.FromMilliseconds(50);

    public static HttpFilterSettings? Read(YamlMap body, ConfigReadContext context)
    {
        var statPrefix = body.RequiredScalar("stat_prefix");
        var ok = HttpFilterReader.RejectUnsupported(body, context, "descriptors", "rate_limits", "vh_rate_limits",
            "request_headers_to_add_when_not_enforced_grpc", "local_cluster_rate_limit", "max_dynamic_descriptors");
        var bucket = body.Map("token_bucket") is { } bucketMap ? ReadBucket(bucketMap) : null;
        var enabled = body.Map("filter_enabled") is { } e ? RouteMatchReader.ReadRuntimeFraction(e) : null;
        var enforced = body.Map("filter_enforced") is { } f ? RouteMatchReader.ReadRuntimeFraction(f) : null;
        var status = body.Map("status") is { } statusMap ? statusMap.Integer("code", 100, 599) : null;
        var responseHeaders = HeaderMutationReader.ReadAdds(body, "response_headers_to_add", context);
        var requestHeaders = HeaderMutationReader.ReadAdds(body, "request_headers_to_add_when_not_enforced", context);
        ok &= RejectTrue(body, "local_rate_limit_per_downstream_connection", context);
        ok &= RejectTrue(body, "rate_limited_as_resource_exhausted", context);
        ok &= RejectTrue(body, "always_consume_default_token_bucket", context);
        if (body.Integer("stage", 0, 10) is > 0)
        {
            body.Error("stage", "only stage 0 is supported");
            ok = false;
        }
        if (body.Scalar("enable_x_ratelimit_headers") is { } xHeaders && xHeaders != "OFF")
        {
            context.Unsupported(body.ChildPath("enable_x_ratelimit_headers"), body.KeyMark("enable_x_ratelimit_headers"), $"unsupported value '{xHeaders}' (supported: OFF)");
            ok = false;
        }
        if (!ok || statPrefix is null || responseHeaders is null || requestHeaders is null
            || (body.Has("token_bucket") && bucket is null) || (body.Has("status") && status is null))
        {
            return null;
        }
        return new LocalRateLimitConfig(statPrefix)
        {
            TokenBucket = bucket,
            FilterEnabled = enabled,
            FilterEnforced = enforced,
            Status = (int)(status ?? LocalRateLimitConfig.DefaultStatus),
            ResponseHeadersToAdd = responseHeaders.Value,
            RequestHeadersToAddWhenNotEnforced = requestHeaders.Value,
        };
    }

    private static TokenBucketConfig? ReadBucket(YamlMap bucket)
    {
        var max = bucket.Integer("max_tokens", 1, uint.MaxValue);
        // tokens_per_fill is a UInt32Value defaulting to 1.
        var perFill = bucket.Integer("tokens_per_fill", 1, uint.MaxValue) ?? 1;
        var interval = bucket.Duration("fill_interval");
        if (max is null)
        {
            if (!bucket.Has("max_tokens"))
            {
                bucket.Missing("max_tokens");
            }
            return null;
        }
        if (interval is null)
        {
            if (!bucket.Has("fill_interval"))
            {
                bucket.Missing("fill_interval");
            }
            return null;
        }
        if (interval < MinFillInterval)
        {
            bucket.Error("fill_interval", "must be at least 50ms");
            return null;
        }
        return new TokenBucketConfig(max.Value, perFill, interval.Value);
    }

    private static bool RejectTrue(YamlMap body, string key, ConfigReadContext context)
    {
        if (body.Boolean(key) == true)
        {
            context.Unsupported(body.ChildPath(key), body.KeyMark(key), $"unsupported value 'true' for '{key}'");
            return false;
        }
        return true;
    }
}
