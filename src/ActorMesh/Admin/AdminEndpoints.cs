using System.Globalization;
using System.Text;

namespace ActorMesh.Admin;

/// <summary>Envoy's admin endpoints, as pure functions of the <see cref="AdminContext"/>.</summary>
public static class AdminEndpoints
{
    /// <param name="body">The request body (POSTs only; empty otherwise).</param>
    public static AdminResponse Handle(AdminContext context, string method, string target, ReadOnlyMemory<byte> body = default)
    {
        var q = target.IndexOf('?');
        var path = q < 0 ? target : target[..q];
        var query = AdminQuery.Parse(q < 0 ? string.Empty : target[(q + 1)..]);
        var handler = AdminHandlers.Find(path);
        if (handler is null)
        {
            return new AdminResponse(404, TextType, "invalid path. " + AdminHandlers.Help());
        }
        // As Envoy: a mutation by any other method has no effect. /logging alone also lists its loggers on a plain GET.
        var isRead = method is "GET" or "HEAD";
        if (handler.MutatesServerState ? method != "POST" && !(path == "/logging" && isRead && query.IsEmpty) : !isRead)
        {
            return new AdminResponse(405, TextType, $"Method {method} not allowed, {(handler.MutatesServerState ? "POST" : "GET")} required.");
        }
        return path switch
        {
            "/stats" => StatsEndpoints.Stats(context, target),
            "/stats/prometheus" => StatsEndpoints.Prometheus(context, target),
            "/ready" => ServerInfoEndpoints.Ready(context),
            "/server_info" => ServerInfoEndpoints.ServerInfo(context),
            "/hot_restart_version" => ServerInfoEndpoints.HotRestartVersion(),
            "/clusters" => ClustersEndpoint.Handle(context, query),
            "/config_dump" => ConfigDumpEndpoint.Handle(context, query),
            "/config" => ConfigEndpoint.Apply(context, body),
            "/config_status" => ConfigEndpoint.Status(context),
            "/listeners" => ListenersEndpoint.Handle(context, query),
            "/logging" => LoggingEndpoint.Handle(context, query),
            "/runtime" => RuntimeEndpoints.Runtime(context),
            "/runtime_modify" => RuntimeEndpoints.Modify(context, query),
            "/healthcheck/fail" => ServerCommandEndpoints.HealthCheck(context, fail: true),
            "/healthcheck/ok" => ServerCommandEndpoints.HealthCheck(context, fail: false),
            "/drain_listeners" => ServerCommandEndpoints.DrainListeners(context, query),
            "/reset_counters" => ServerCommandEndpoints.ResetCounters(context),
            "/quitquitquit" => ServerCommandEndpoints.QuitQuitQuit(context),
            "/" => new AdminResponse(200, "text/html; charset=UTF-8", Dashboard.Page),
            "/help" => Text(AdminHandlers.Help()),
            _ => Text("invalid path. " + AdminHandlers.Help(), 404),
        };
    }

    private static long UptimeSeconds(AdminContext context) => (long)(DateTimeOffset.UtcNow - context.StartedAt).TotalSeconds;

    /// <summary>Envoy's admin content types.</summary>
    internal const string TextType = "text/plain; charset=UTF-8";
    internal const string JsonType = "application/json";

    internal static AdminResponse Text(string body, int status = 200) => new(status, TextType, body);

    internal static AdminResponse JsonBody(string body) => new(200, JsonType, body);
}
