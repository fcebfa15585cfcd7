using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using ActorMesh.Config;
using ActorMesh.Hosting;

namespace ActorMesh.Admin;

/// <summary>
/// <c>POST /config</c>: a YAML config in the body becomes the node's next version (validated exactly as
/// <c>--mode validate</c> does, then applied); <c>GET /config_status</c>: the version served and the last NACK.
/// </summary>
internal static class ConfigEndpoint
{
    public const string Source = "admin";

    public static AdminResponse Apply(AdminContext context, ReadOnlyMemory<byte> body)
    {
        // Whoever reaches a non-loopback admin could reroute all traffic; the cluster layer has its own channel.
        if (!OnLoopback(context.Config.Admin))
        {
            return AdminEndpoints.Text("POST /config is only served by an admin bound to a loopback address\n", 403);
        }
        if (body.IsEmpty)
        {
            return AdminEndpoints.Text("POST /config needs a YAML config in the request body\n", 400);
        }
        var loaded = ConfigLoader.LoadYaml(Encoding.UTF8.GetString(body.Span));
        if (!loaded.IsValid)
        {
            // Nothing changes: the errors, one a line, each with its YAML path and line.
            return AdminEndpoints.Text(string.Concat(loaded.Errors.Select(e => e + "\n")), 400);
        }
        return new AdminResponse(202, AdminEndpoints.JsonType, string.Empty)
        {
            Deferred = context.Control.ApplyConfigAsync(loaded.Config!, Source).ContinueWith(t => Answer(t.Result), TaskContinuationOptions.OnlyOnRanToCompletion),
        };
    }

    public static AdminResponse Status(AdminContext context) => AdminEndpoints.JsonBody(AdminJson.Write(StatusJson(context.Served.Status)));

    /// <summary>200 and the new status (an ACK); 409 and the NACK when the node refused the version; 500 when it did not answer.</summary>
    private static AdminResponse Answer(ConfigApplyOutcome outcome) =>
        new(outcome.Nack is null ? 200 : outcome.TimedOut ? 500 : 409, AdminEndpoints.JsonType, AdminJson.Write(StatusJson(outcome.Status, outcome.Nack)));

    private static JsonObject StatusJson(ConfigStatus status, string? error = null)
    {
        var json = new JsonObject
        {
            ["version_info"] = status.VersionInfo,
            ["source"] = status.Source,
            ["last_updated"] = AdminJson.Timestamp(status.LastUpdated),
        };
        if (error is not null)
        {
            json["error"] = error;
        }
        if (status.LastNack is { } nack)
        {
            json["last_nack"] = new JsonObject
            {
                ["version_info"] = nack.Version.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["source"] = nack.Source,
                ["reason"] = nack.Reason,
                ["rejected_at"] = AdminJson.Timestamp(nack.At),
            };
        }
        return json;
    }

    private static bool OnLoopback(AdminConfig? admin) =>
        admin is not null && IPAddress.TryParse(admin.Address.Address, out var ip) && IPAddress.IsLoopback(ip);
}
