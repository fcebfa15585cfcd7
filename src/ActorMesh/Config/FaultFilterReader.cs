namespace ActorMesh.Config;

/// <summary>Envoy's <c>HTTPFault</c> (v2 and v3): <c>delay</c>, <c>abort</c> and which requests they apply to.</summary>
internal static class FaultFilterReader
{
    public const string Name = "envoy.filters.http.fault";

    public static HttpFilterSettings? Read(YamlMap body, ConfigReadContext context)
    {
        var ok = HttpFilterReader.RejectUnsupported(body, context, "response_rate_limit", "abort_percent_runtime",
            "abort_http_status_runtime", "abort_grpc_status_runtime", "delay_percent_runtime", "delay_duration_runtime",
            "max_active_faults_runtime", "response_rate_limit_percent_runtime", "disable_downstream_cluster_stats", "filter_metadata");
        var delay = body.Map("delay") is { } delayMap ? ReadDelay(delayMap, context) : null;
        var abort = body.Map("abort") is { } abortMap ? ReadAbort(abortMap, context) : null;
        var cluster = body.Scalar("upstream_cluster");
        var headers = ReadResults.AllOrNull(body.Sequence("headers").Select(h => RouteMatchReader.ReadHeader(h, context)));
        var nodes = new List<string>();
        foreach (var item in body.Sequence("downstream_nodes"))
        {
            if (context.AsScalar(item.Node, item.Path) is { } node)
            {
                nodes.Add(node);
            }
        }
        var maxActive = body.Integer("max_active_faults", 0, uint.MaxValue);
        if (!ok || headers is null || (body.Has("delay") && delay is null) || (body.Has("abort") && abort is null))
        {
            return null;
        }
        return new FaultConfig
        {
            Delay = delay,
            Abort = abort,
            UpstreamCluster = cluster,
            Headers = headers.Value,
            DownstreamNodes = nodes.ToEquatableArray(),
            MaxActiveFaults = maxActive,
        };
    }

    private static FaultDelayConfig? ReadDelay(YamlMap delay, ConfigReadContext context)
    {
        // v2's `type: FIXED` names the only delay type there ever was.
        delay.Scalar("type");
        var fixedDelay = delay.Duration("fixed_delay");
        var header = delay.Map("header_delay") is not null;
        var percentage = delay.Map("percentage") is { } p ? HttpFilterReader.ReadPercent(p) : FractionalPercentConfig.Zero;
        if (fixedDelay is null && !header)
        {
            if (!delay.Has("fixed_delay"))
            {
                delay.Error("requires one of fixed_delay or header_delay");
            }
            return null;
        }
        return percentage is null ? null : new FaultDelayConfig(fixedDelay, header, percentage);
    }

    private static FaultAbortConfig? ReadAbort(YamlMap abort, ConfigReadContext context)
    {
        var ok = HttpFilterReader.RejectUnsupported(abort, context, "grpc_status");
        // Envoy accepts [200, 600) for an injected abort.
        var status = abort.Integer("http_status", 200, 599);
        var header = abort.Map("header_abort") is not null;
        var percentage = abort.Map("percentage") is { } p ? HttpFilterReader.ReadPercent(p) : FractionalPercentConfig.Zero;
        if (!ok)
        {
            return null;
        }
        if (status is null && !header)
        {
            if (!abort.Has("http_status"))
            {
                abort.Error("requires one of http_status, grpc_status or header_abort");
            }
            return null;
        }
        return percentage is null ? null : new FaultAbortConfig((int?)status, header, percentage);
    }
}
