using System.Text;
using System.Text.Json.Nodes;

namespace ActorMesh.Admin;

/// <summary>
/// Envoy's <c>/listeners</c>: <c>name::address</c> lines with the port actually bound, or <c>?format=json</c>
/// (<c>envoy.admin.v3.Listeners</c>). The admin listener is not one of them, as in Envoy.
/// </summary>
internal static class ListenersEndpoint
{
    public static AdminResponse Handle(AdminContext context, AdminQuery query)
    {
        var listeners = context.Control.ListenerAddresses;
        if (query.Get("format") == "json")
        {
            var statuses = new JsonArray();
            foreach (var (name, address) in listeners)
            {
                statuses.Add(new JsonObject { ["name"] = name, ["local_address"] = ClustersEndpoint.SocketAddress(address) });
            }
            var root = new JsonObject();
            if (statuses.Count > 0)
            {
                root["listener_statuses"] = statuses;
            }
            return AdminEndpoints.JsonBody(AdminJson.Write(root));
        }
        var sb = new StringBuilder();
        foreach (var (name, address) in listeners)
        {
            sb.Append(name).Append("::").Append(address).Append('\n');
        }
        return AdminEndpoints.Text(sb.ToString());
    }
}
