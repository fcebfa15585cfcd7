using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ActorMesh.Admin;

/// <summary>Envoy's admin endpoints, as pure functions of the <see cref="AdminContext"/>.</summary>
public static class AdminEndpoints
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseUpper) },
    };

    public static AdminResponse Handle(AdminContext context, string method, string target)
    {
        var q = target.IndexOf('?');
        var path = q < 0 ? target : target[..q];
        if (method != "GET" && method != "HEAD")
        {
            return new AdminResponse(405, "text/plain", "method not allowed\n");
        }
        return path switch
        {
            "/stats" => StatsEndpoints.Stats(context, target),
            "/stats/prometheus" => StatsEndpoints.Prometheus(context, target),
            "/ready" => Text("LIVE\n"),
            "/server_info" => JsonBody(ServerInfo(context)),
            "/clusters" => Text(Clusters(context)),
            "/config_dump" => JsonBody(ConfigDump(context)),
            "/" or "/help" => Text(Help()),
            _ => new AdminResponse(404, "text/plain", "invalid path. admin commands are:\n" + Help()),
        };
    }

    /// <summary>Envoy's text format: one <c>name: value</c> a line, sorted by name.</summary>
    public static string Stats(AdminContext context)
    {
        context.Stats.GetOrCreate("server.").Gauge("uptime").Set(UptimeSeconds(context));
        var sb = new StringBuilder();
        foreach (var (name, value) in context.Stats.Snapshot())
        {
            sb.Append(name).Append(": ").Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>Envoy's <c>/clusters</c> text: <c>cluster::host::stat::value</c> lines.</summary>
    public static string Clusters(AdminContext context)
    {
        var sb = new StringBuilder();
        foreach (var cluster in context.Clusters.Values.OrderBy(c => c.Name, StringComparer.Ordinal))
        {
            sb.Append(cluster.Name).Append("::observability_name::").Append(cluster.Name).Append('\n');
            foreach (var host in cluster.Membership.Hosts)
            {
                var prefix = $"{cluster.Name}::{host.Endpoint}::";
                void Line(string stat, object value) => sb.Append(prefix).Append(stat).Append("::").Append(Convert.ToString(value, CultureInfo.InvariantCulture)).Append('\n');
                Line("cx_active", host.CxActive);
                Line("cx_connect_fail", host.CxConnectFail);
                Line("cx_total", host.CxTotal);
                Line("rq_active", host.RqActive);
                Line("rq_error", host.RqError);
                Line("rq_success", host.RqSuccess);
                Line("rq_total", host.RqTotal);
                Line("hostname", host.Hostname);
                Line("health_flags", "healthy");
                Line("weight", 1);
            }
        }
        return sb.ToString();
    }

    private static string ServerInfo(AdminContext context)
    {
        var uptime = UptimeSeconds(context).ToString(CultureInfo.InvariantCulture) + "s";
        return JsonSerializer.Serialize(new
        {
            version = context.Version,
            state = "LIVE",
            uptime_current_epoch = uptime,
            uptime_all_epochs = uptime,
        }, Json);
    }

    private static string ConfigDump(AdminContext context) => JsonSerializer.Serialize(context.Config, Json);

    private static string Help() =>
        "  /: print this help\n  /clusters: upstream cluster status\n  /config_dump: dump current ActorMesh configs\n"
        + "  /help: print this help\n  /ready: print server state, return 200 if LIVE\n"
        + "  /server_info: print server version/status information\n  /stats: print server stats\n";

    private static long UptimeSeconds(AdminContext context) => (long)(DateTimeOffset.UtcNow - context.StartedAt).TotalSeconds;

    private static AdminResponse Text(string body) => new(200, "text/plain; charset=UTF-8", body);

    private static AdminResponse JsonBody(string body) => new(200, "application/json", body);
}
