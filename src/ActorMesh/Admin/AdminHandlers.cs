using System.Text;

namespace ActorMesh.Admin;

/// <summary>One admin endpoint as Envoy registers it: prefix, help text, whether it mutates (POST only), parameters.</summary>
public sealed record AdminHandler(string Prefix, string Help, bool MutatesServerState, IReadOnlyList<AdminParam> Params);

/// <summary>A documented query parameter; <paramref name="Choices"/> for Envoy's enum parameters.</summary>
public sealed record AdminParam(string Id, string Help, IReadOnlyList<string>? Choices = null);

/// <summary>Every admin endpoint with Envoy's help texts, and the <c>/help</c> listing built from them.</summary>
public static class AdminHandlers
{
    private static readonly AdminParam[] None = [];

    public static readonly IReadOnlyList<AdminHandler> All =
    [
        new("/", "Admin home page: a live dashboard of rates, errors, latency and endpoint health", false, None),
        new("/clusters", "upstream cluster status", false, [new("format", "File format to use", ["text", "json"])]),
        new("/config", "apply the YAML config in the request body as the next config version (loopback admin only)", true, None),
        new("/config_status", "print the applied config version, where it came from, and the last rejected version (NACK) with its reason", false, None),
        new("/config_dump", "dump current Envoy configs (experimental)", false,
        [
            new("resource", "The resource to dump"),
            new("mask", "The mask to apply. When both resource and mask are specified, the mask is applied to every element in the desired repeated field so that only a subset of fields are returned. The mask is parsed as a ProtobufWkt::FieldMask"),
            new("name_regex", "Dump only the currently loaded configurations whose names match the specified regex. Can be used with both resource and mask query parameters."),
        ]),
        new("/drain_listeners", "drain listeners", true,
        [
            new("graceful", "When draining listeners, enter a graceful drain period prior to closing listeners. This behaviour and duration is configurable via server options or CLI"),
            new("inboundonly", "Drains all inbound listeners. traffic_direction field in envoy_v3_api_msg_config.listener.v3.Listener is used to determine whether a listener is inbound or outbound."),
        ]),
        new("/healthcheck/fail", "cause the server to fail health checks", true, None),
        new("/healthcheck/ok", "cause the server to pass health checks", true, None),
        new("/help", "print out list of admin commands", false, None),
        new("/hot_restart_version", "print the hot restart compatibility version", false, None),
        new("/listeners", "print listener info", false, [new("format", "File format to use", ["text", "json"])]),
        new("/logging", "query/change logging levels", true,
        [
            new("paths", "Change multiple logging levels by setting to <logger_name1>:<desired_level1>,<logger_name2>:<desired_level2>."),
            new("level", "desired logging level, this will change all loggers's level", ["", .. LoggingEndpoint.Levels]),
        ]),
        new("/quitquitquit", "exit the server", true, None),
        new("/ready", "print server state, return 200 if LIVE, otherwise return 503", false, None),
        new("/reset_counters", "reset all counters to zero", true, None),
        new("/runtime", "print runtime values", false, None),
        new("/runtime_modify", "Adds or modifies runtime values as passed in query parameters. To delete a previously added key, use an empty string as the value. Note that deletion only applies to overrides added via this endpoint; values loaded from disk can be modified via override but not deleted. E.g. ?key1=value1&key2=value2...", true, None),
        new("/server_info", "print server version/status information", false, None),
        new("/stats", "print server stats", false, None),
        new("/stats/prometheus", "print server stats in prometheus format", false, None),
    ];

    public static AdminHandler? Find(string path) => All.FirstOrDefault(h => h.Prefix == path);

    /// <summary>Envoy's <c>getHelp</c>: sorted by prefix, <c>(POST)</c> on mutations, then each parameter.</summary>
    public static string Help()
    {
        var sb = new StringBuilder("admin commands are:\n");
        foreach (var handler in All.OrderBy(h => h.Prefix, StringComparer.Ordinal))
        {
            sb.Append("  ").Append(handler.Prefix).Append(handler.MutatesServerState ? " (POST)" : "").Append(": ").Append(handler.Help).Append('\n');
            foreach (var param in handler.Params)
            {
                sb.Append("      ").Append(param.Id).Append(": ").Append(param.Help);
                if (param.Choices is not null)
                {
                    sb.Append("; One of (").Append(string.Join(", ", param.Choices)).Append(')');
                }
                sb.Append('\n');
            }
        }
        return sb.ToString();
    }
}
