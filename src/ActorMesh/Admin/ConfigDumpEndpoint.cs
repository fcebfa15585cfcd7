using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ActorMesh.Config;

namespace ActorMesh.Admin;

/// <summary>
/// Envoy's <c>/config_dump</c>: an <c>envoy.admin.v3.ConfigDump</c> whose <c>configs</c> are the bootstrap, clusters,
/// listeners and routes dumps, secrets redacted. <c>?resource=</c> picks one repeated field (<c>static_clusters</c>),
/// <c>?mask=</c> trims fields, <c>?name_regex=</c> keeps the resources whose name matches the whole regex.
/// </summary>
internal static class ConfigDumpEndpoint
{
    private const string TypePrefix = "type.googleapis.com/";
    private static readonly TimeSpan RegexTimeout = TimeSpan.FromSeconds(1);

    /// <summary>A repeated field of a dump, its element type, the field holding the resource, and that resource's type.</summary>
    private sealed record Repeated(string Field, string ElementType, string ResourceField, string ResourceType, IReadOnlyList<JsonNode> Resources);

    /// <summary>One top-level dump: its type and repeated fields (the bootstrap dump has none, it holds everything).</summary>
    /// <param name="Versioned">Envoy's clusters and listeners dumps carry the <c>version_info</c> last applied.</param>
    private sealed record Dump(string Type, string? BootstrapField, IReadOnlyList<Repeated> Fields, bool Versioned = false);

    public static AdminResponse Handle(AdminContext context, AdminQuery query)
    {
        Regex? nameRegex = null;
        if (query.Get("name_regex") is { Length: > 0 } pattern)
        {
            try
            {
                nameRegex = new Regex($"^(?:{pattern})$", RegexOptions.CultureInvariant, RegexTimeout);
            }
            catch (ArgumentException e)
            {
                return AdminEndpoints.Text($"Error while parsing name_regex from {pattern}: {e.Message}", 400);
            }
        }
        var mask = query.Get("mask") is { Length: > 0 } m ? FieldMask.Parse(m) : null;
        var status = context.Served.Status;
        var lastUpdated = AdminJson.Timestamp(status.LastUpdated);
        var dumps = Dumps(context);

        if (query.Get("resource") is { Length: > 0 } resource)
        {
            var field = dumps.SelectMany(d => d.Fields).FirstOrDefault(f => f.Field == resource);
            if (field is null)
            {
                return AdminEndpoints.Text($"{resource} not found in config dump", 404);
            }
            var elements = Elements(field, nameRegex, lastUpdated).ToList();
            if (mask is not null)
            {
                if (elements.Count > 0 && !elements.Any(mask.MatchesAny))
                {
                    return AdminEndpoints.Text($"FieldMask paths: \"{query.Get("mask")}\" could not be successfully used.", 400);
                }
                elements.ForEach(e => mask.Trim(e, "@type"));
            }
            return AdminEndpoints.JsonBody(AdminJson.Write(new JsonObject { ["configs"] = new JsonArray([.. elements]) }));
        }

        var configs = new JsonArray();
        foreach (var dump in dumps)
        {
            var node = new JsonObject { ["@type"] = TypePrefix + dump.Type };
            if (dump.Versioned)
            {
                node["version_info"] = status.VersionInfo;
            }
            if (dump.BootstrapField is not null)
            {
                node["bootstrap"] = context.Redaction.Serialize(context.Config);
                node["last_updated"] = lastUpdated;
            }
            foreach (var field in dump.Fields)
            {
                var elements = Elements(field, nameRegex, lastUpdated).ToArray();
                if (elements.Length > 0)
                {
                    // The element type is implied by the field: Envoy's dump does not repeat it per element.
                    foreach (var e in elements)
                    {
                        e.Remove("@type");
                    }
                    node[field.Field] = new JsonArray([.. elements]);
                }
            }
            mask?.Trim(node, "@type");
            configs.Add(node);
        }
        return AdminEndpoints.JsonBody(AdminJson.Write(new JsonObject { ["configs"] = configs }));
    }

    private static IEnumerable<JsonObject> Elements(Repeated field, Regex? nameRegex, string lastUpdated) =>
        field.Resources
            .Where(r => nameRegex is null || nameRegex.IsMatch(r["name"]?.GetValue<string>() ?? string.Empty))
            .Select(r =>
            {
                var resource = new JsonObject { ["@type"] = TypePrefix + field.ResourceType };
                foreach (var (key, value) in r.AsObject())
                {
                    resource[key] = value?.DeepClone();
                }
                return new JsonObject
                {
                    ["@type"] = TypePrefix + field.ElementType,
                    [field.ResourceField] = resource,
                    ["last_updated"] = lastUpdated,
                };
            });

    private static IReadOnlyList<Dump> Dumps(AdminContext context)
    {
        var redaction = context.Redaction;
        var resources = context.Config.StaticResources;
        var routes = resources.Listeners
            .SelectMany(l => l.FilterChains.SelectMany(fc => fc.Filters))
            .OfType<HttpConnectionManagerConfig>()
            .Select(h => (JsonNode)redaction.Serialize(h.RouteConfig))
            .ToList();
        return
        [
            new("envoy.admin.v3.BootstrapConfigDump", "bootstrap", []),
            new("envoy.admin.v3.ClustersConfigDump", null,
            [
                new("static_clusters", "envoy.admin.v3.ClustersConfigDump.StaticCluster", "cluster", "envoy.config.cluster.v3.Cluster",
                    resources.Clusters.Select(c => (JsonNode)redaction.Serialize(c)).ToList()),
            ], Versioned: true),
            new("envoy.admin.v3.ListenersConfigDump", null,
            [
                new("static_listeners", "envoy.admin.v3.ListenersConfigDump.StaticListener", "listener", "envoy.config.listener.v3.Listener",
                    resources.Listeners.Select(l => (JsonNode)redaction.Serialize(l)).ToList()),
            ], Versioned: true),
            new("envoy.admin.v3.RoutesConfigDump", null,
            [
                new("static_route_configs", "envoy.admin.v3.RoutesConfigDump.StaticRouteConfig", "route_config", "envoy.config.route.v3.RouteConfiguration", routes),
            ]),
            new("envoy.admin.v3.SecretsConfigDump", null, []),
        ];
    }
}
