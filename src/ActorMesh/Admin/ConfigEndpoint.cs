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
        if (context.Options.ConfigAuthority is { } authority)
        {
            // Mesh mode: the store numbers, keeps and replicates the version; this node applies it from the table.
            return new AdminResponse(202, AdminEndpoints.JsonType, string.Empty)
            {
                Deferred = authority.ApplyAsync(Encoding.UTF8.GetString(body.Span), Source).ContinueWith(t => StoreAnswer(t.Result), TaskContinuationOptions.OnlyOnRanToCompletion),
            };
        }
        return new AdminResponse(202, AdminEndpoints.JsonType, string.Empty)
        {
            Deferred = context.Control.ApplyConfigAsync(context.Options.LocalOverrides.Apply(loaded.Config!), Source).ContinueWith(t => Answer(t.Result), TaskContinuationOptions.OnlyOnRanToCompletion),
        };
    }

    /// <summary>
    /// The node's own status; in a mesh also <c>nodes</c>: every member's applied version and last NACK, from the
    /// replicated status registers (this node's <c>version_info</c> stays the version it serves itself).
    /// </summary>
    public static AdminResponse Status(AdminContext context)
    {
        var json = StatusJson(context.Served.Status);
        if (context.Options.MeshStatus is { } board)
        {
            var nodes = new JsonArray();
            foreach (var node in board.Nodes.Values)
            {
                nodes.Add(NodeJson(node));
            }
            json["nodes"] = nodes;
        }
        return AdminEndpoints.JsonBody(AdminJson.Write(json));
    }

    /// <summary>200 and the stored version; 400 and the errors (path and line) when the store refused it; 503 without an answer.</summary>
    private static AdminResponse StoreAnswer(ConfigAuthorityAnswer answer)
    {
        if (answer.TimedOut)
        {
            return AdminEndpoints.Text("the config store did not answer in time; the version may still be stored\n", 503);
        }
        if (answer.Version is not { } version)
        {
            return AdminEndpoints.Text(string.Concat(answer.Errors.Select(e => e + "\n")), 400);
        }
        var json = new JsonObject
        {
            ["version_info"] = version.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["source"] = Source,
            ["created"] = answer.Created,
        };
        return new AdminResponse(200, AdminEndpoints.JsonType, AdminJson.Write(json));
    }

    private static JsonObject NodeJson(Mesh.MeshNodeStatus node)
    {
        var json = new JsonObject
        {
            ["node"] = node.Node,
            ["version_info"] = node.Version.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["source"] = node.Source,
            ["last_updated"] = AdminJson.Timestamp(node.LastUpdated),
        };
        if (node.LastNack is { } nack)
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
