using System.Text.Json.Nodes;
using ActorMesh.Runtime;

namespace ActorMesh.Admin;

/// <summary>Envoy's <c>/runtime</c> (layers and each key's value per layer) and <c>POST /runtime_modify</c>.</summary>
internal static class RuntimeEndpoints
{
    private const string ModifyUsage =
        "usage: /runtime_modify?key1=value1&key2=value2&keyN=valueN\n"
        + "use an empty value to remove a previously added override";

    public static AdminResponse Runtime(AdminContext context)
    {
        var snapshot = context.Runtime.Snapshot();
        var entries = new JsonObject();
        foreach (var (key, values) in snapshot.Entries)
        {
            var layerValues = new JsonArray();
            foreach (var value in values)
            {
                // Envoy: an empty string where a layer has no value for the key.
                layerValues.Add(value ?? string.Empty);
            }
            entries[key] = new JsonObject
            {
                ["final_value"] = RuntimeSnapshot.FinalValue(values) ?? string.Empty,
                ["layer_values"] = layerValues,
            };
        }
        var layers = new JsonArray();
        foreach (var layer in snapshot.Layers)
        {
            layers.Add(layer);
        }
        return AdminEndpoints.JsonBody(AdminJson.Write(new JsonObject { ["entries"] = entries, ["layers"] = layers }));
    }

    public static AdminResponse Modify(AdminContext context, AdminQuery query)
    {
        if (query.IsEmpty)
        {
            return AdminEndpoints.Text(ModifyUsage, 400);
        }
        context.Runtime.MergeValues(query.All);
        return AdminEndpoints.Text("OK\n");
    }
}
