namespace ActorMesh.Config;

/// <summary>Envoy's <c>health_checks[]</c>: HTTP checks and TCP connect checks.</summary>
internal static class HealthCheckReader
{
    /// <summary>HTTP status codes as Envoy bounds <c>expected_statuses</c>: [100, 600).</summary>
    private const long MinStatus = 100;
    private const long MaxStatus = 600;

    public static EquatableArray<HealthCheckConfig>? ReadAll(YamlMap cluster, ConfigReadContext context)
    {
        var items = cluster.Sequence("health_checks");
        var checks = items.Select(item => context.AsMap(item.Node, item.Path) is { } map ? Read(map, context) : null).ToArray();
        if (items.Count > 1)
        {
            cluster.Error("health_checks", "unsupported in ActorMesh: more than one health check per cluster");
            return null;
        }
        return ReadResults.AllOrNull(checks);
    }

    private static HealthCheckConfig? Read(YamlMap check, ConfigReadContext context)
    {
        var timeout = Positive(check, "timeout", required: true);
        var interval = Positive(check, "interval", required: true);
        var unhealthy = ProtoValueReader.UInt32(check, "unhealthy_threshold");
        var healthy = ProtoValueReader.UInt32(check, "healthy_threshold");
        if (unhealthy is null)
        {
            check.Missing("unhealthy_threshold");
        }
        if (healthy is null)
        {
            check.Missing("healthy_threshold");
        }
        var jitter = check.Duration("interval_jitter") ?? TimeSpan.Zero;
        var jitterPercent = (uint)(ProtoValueReader.UInt32(check, "interval_jitter_percent", 0, 100) ?? 0);
        var initialJitter = check.Duration("initial_jitter") ?? TimeSpan.Zero;
        var noTraffic = Positive(check, "no_traffic_interval", required: false) ?? HealthCheckConfig.DefaultNoTrafficInterval;
        var noTrafficHealthy = Positive(check, "no_traffic_healthy_interval", required: false) ?? noTraffic;
        var unhealthyInterval = Positive(check, "unhealthy_interval", required: false);
        var unhealthyEdge = Positive(check, "unhealthy_edge_interval", required: false);
        var healthyEdge = Positive(check, "healthy_edge_interval", required: false);
        var eventLogPath = check.Scalar("event_log_path") is { Length: > 0 } logPath ? logPath : null;
        var alwaysLogFailures = check.Boolean("always_log_health_check_failures") ?? false;
        var alwaysLogSuccess = check.Boolean("always_log_health_check_success") ?? false;

        var http = check.Map("http_health_check");
        var tcp = check.Map("tcp_health_check");
        if (http is null && tcp is null)
        {
            if (!check.HasAny("grpc_health_check", "custom_health_check"))
            {
                check.Missing("http_health_check");
            }
            return null;
        }
        if (http is not null && tcp is not null)
        {
            check.Error("tcp_health_check", "cannot be combined with http_health_check");
            return null;
        }
        string path = "/";
        string? host = null;
        var statuses = EquatableArray<StatusRange>.Empty;
        if (http is not null)
        {
            path = http.RequiredScalar("path") ?? "/";
            host = http.Scalar("host");
            statuses = ReadStatuses(http, context);
        }
        else
        {
            RejectPayloads(tcp!);
        }
        if (timeout is null || interval is null || unhealthy is null || healthy is null)
        {
            return null;
        }
        return new HealthCheckConfig(
            http is not null ? HealthCheckKind.Http : HealthCheckKind.Tcp,
            timeout.Value,
            interval.Value,
            jitter,
            jitterPercent,
            initialJitter,
            (uint)unhealthy.Value,
            (uint)healthy.Value,
            noTraffic,
            noTrafficHealthy,
            unhealthyInterval ?? interval.Value,
            unhealthyEdge ?? unhealthyInterval ?? interval.Value,
            healthyEdge ?? interval.Value,
            path,
            host,
            statuses)
        {
            EventLogPath = eventLogPath,
            AlwaysLogHealthCheckFailures = alwaysLogFailures,
            AlwaysLogHealthCheckSuccess = alwaysLogSuccess,
        };
    }

    /// <summary>A TCP check with a payload is not supported yet; an empty send and receive is a connect check.</summary>
    private static void RejectPayloads(YamlMap tcp)
    {
        if (tcp.Map("send") is { } send)
        {
            if (send.HasAny("text", "binary"))
            {
                tcp.Error("send", "unsupported in ActorMesh: only connect checks (no send or receive payload) are supported");
            }
            send.IgnoreRest();
        }
        if (tcp.Sequence("receive").Count > 0)
        {
            tcp.Error("receive", "unsupported in ActorMesh: only connect checks (no send or receive payload) are supported");
        }
    }

    private static EquatableArray<StatusRange> ReadStatuses(YamlMap http, ConfigReadContext context)
    {
        var ranges = new List<StatusRange>();
        foreach (var item in http.Sequence("expected_statuses"))
        {
            if (context.AsMap(item.Node, item.Path) is not { } range)
            {
                continue;
            }
            var start = range.Integer("start", MinStatus, MaxStatus);
            var end = range.Integer("end", MinStatus, MaxStatus);
            if (start is null || end is null)
            {
                if (start is null && !range.Has("start"))
                {
                    range.Missing("start");
                }
                if (end is null && !range.Has("end"))
                {
                    range.Missing("end");
                }
                continue;
            }
            if (start >= end)
            {
                range.Error("end", "must be greater than start");
                continue;
            }
            ranges.Add(new StatusRange(start.Value, end.Value));
        }
        return ranges.ToEquatableArray();
    }

    private static TimeSpan? Positive(YamlMap check, string key, bool required)
    {
        if (!check.Has(key))
        {
            check.Take(key);
            if (required)
            {
                check.Missing(key);
            }
            return null;
        }
        var value = check.Duration(key);
        if (value <= TimeSpan.Zero)
        {
            check.Error(key, "must be greater than 0s");
            return null;
        }
        return value;
    }
}
