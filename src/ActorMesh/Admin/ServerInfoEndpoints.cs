using System.Text.Json.Nodes;
using ActorMesh.Hosting;

namespace ActorMesh.Admin;

/// <summary><c>/ready</c>, <c>/server_info</c> and <c>/hot_restart_version</c>: the server's state as Envoy reports it.</summary>
internal static class ServerInfoEndpoints
{
    /// <summary>ActorMesh has no hot restart; Envoy built without it answers this.</summary>
    private const string HotRestartDisabled = "disabled";

    /// <summary>The state's name and 200 when LIVE, else 503 (Envoy's <c>handlerReady</c>).</summary>
    public static AdminResponse Ready(AdminContext context)
    {
        var state = context.Server.State;
        return AdminEndpoints.Text(StateName(state) + "\n", state == ServerLifecycle.Live ? 200 : 503);
    }

    public static AdminResponse HotRestartVersion() => AdminEndpoints.Text(HotRestartDisabled);

    /// <summary>Envoy's <c>envoy.admin.v3.ServerInfo</c>; command line options are the subset ActorMesh has.</summary>
    public static AdminResponse ServerInfo(AdminContext context)
    {
        var uptime = context.Server.UptimeSeconds + "s";
        var options = context.Options;
        var info = new JsonObject
        {
            ["version"] = context.Version,
            ["state"] = StateName(context.Server.State),
            ["hot_restart_version"] = HotRestartDisabled,
            ["command_line_options"] = new JsonObject
            {
                ["base_id"] = "0",
                ["concurrency"] = Environment.ProcessorCount,
                ["config_path"] = options.ConfigPath ?? string.Empty,
                ["log_level"] = options.LogLevel,
                ["mode"] = "Serve",
                ["disable_hot_restart"] = true,
                ["restart_epoch"] = 0,
                ["drain_time"] = AdminJson.Duration(options.DrainTime),
                ["drain_strategy"] = "Gradual",
            },
            // No hot restart: the current epoch is the only one.
            ["uptime_current_epoch"] = uptime,
            ["uptime_all_epochs"] = uptime,
            ["node"] = new JsonObject
            {
                ["id"] = context.Config.Node?.Id ?? string.Empty,
                ["cluster"] = context.Config.Node?.Cluster ?? string.Empty,
            },
            // ActorMesh's own: the config version served (see /config_status), which the dashboard shows.
            ["config_version"] = context.Served.Status.VersionInfo,
        };
        return AdminEndpoints.JsonBody(AdminJson.Write(info));
    }

    /// <summary>Envoy's enum value names: <c>LIVE</c>, <c>DRAINING</c>, <c>PRE_INITIALIZING</c>, <c>INITIALIZING</c>.</summary>
    public static string StateName(ServerLifecycle state) => state switch
    {
        ServerLifecycle.Live => "LIVE",
        ServerLifecycle.Draining => "DRAINING",
        ServerLifecycle.PreInitializing => "PRE_INITIALIZING",
        _ => "INITIALIZING",
    };
}
