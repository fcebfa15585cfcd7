using System.Text;
using ActorMesh.Config;
using YamlDotNet.RepresentationModel;

namespace ActorMesh.Mesh;

/// <summary>
/// Cuts a config version into the routing table's resources and puts a node's config back together from them. Only
/// <c>static_resources</c> is replicated: the admin block and the stats settings and sinks belong to each node.
/// </summary>
public static class MeshResources
{
    /// <summary>
    /// The largest resource the table replicates. Remoting silently drops frames over 128,000 bytes and a DData gossip
    /// message carries several values, so each stays well under 64 KB (DESIGN.md §3).
    /// </summary>
    public const int MaxResourceBytes = 48 * 1024;

    private const string StaticResources = "static_resources";

    /// <summary>The resources of a config, in config order; <paramref name="errors"/> names any that is too large.</summary>
    public static IReadOnlyList<MeshResource> Split(string yaml, out IReadOnlyList<string> errors)
    {
        var found = new List<MeshResource>();
        var problems = new List<string>();
        var root = Parse(yaml) as YamlMappingNode;
        if (root is not null && Child(root, StaticResources) is YamlMappingNode resources)
        {
            Collect(resources, "listeners", MeshResourceKind.Listener, found, problems);
            Collect(resources, "clusters", MeshResourceKind.Cluster, found, problems);
        }
        // The version key names every resource: it is one replicated value too.
        var manifestBytes = System.Text.Encoding.UTF8.GetByteCount(new MeshManifest(long.MaxValue, found.Select(r => r.Ref).ToList()).ToJson());
        if (manifestBytes > MaxResourceBytes)
        {
            problems.Add($"{StaticResources} (line 1): {found.Count} listeners and clusters make a {manifestBytes}-byte version key, over the {MaxResourceBytes}-byte limit of one replicated value");
        }
        errors = problems;
        return found;
    }

    /// <summary>
    /// A whole bootstrap YAML: <c>static_resources</c> from the table's resources (in the manifest's order) and every
    /// other top-level field from <paramref name="nodeLocalYaml"/> (the node's own bootstrap; its static resources, if
    /// any, are ignored).
    /// </summary>
    public static string Assemble(IEnumerable<MeshResource> resources, string? nodeLocalYaml)
    {
        var listeners = new YamlSequenceNode();
        var clusters = new YamlSequenceNode();
        foreach (var resource in resources)
        {
            var node = Parse(resource.Yaml) ?? new YamlMappingNode();
            (resource.Kind == MeshResourceKind.Listener ? listeners : clusters).Add(node);
        }
        var root = new YamlMappingNode
        {
            { StaticResources, new YamlMappingNode { { "listeners", listeners }, { "clusters", clusters } } },
        };
        if (nodeLocalYaml is not null && Parse(nodeLocalYaml) is YamlMappingNode local)
        {
            foreach (var (key, value) in local.Children)
            {
                if (key is YamlScalarNode { Value: not StaticResources })
                {
                    root.Add(key, value);
                }
            }
        }
        return Write(root);
    }

    /// <summary>The node-local part of a bootstrap: every top-level field but <c>static_resources</c>; null when none.</summary>
    public static string? NodeLocalPart(string yaml)
    {
        if (Parse(yaml) is not YamlMappingNode root)
        {
            return null;
        }
        var local = new YamlMappingNode();
        foreach (var (key, value) in root.Children)
        {
            if (key is YamlScalarNode { Value: not StaticResources })
            {
                local.Add(key, value);
            }
        }
        return local.Children.Count == 0 ? null : Write(local);
    }

    private static void Collect(YamlMappingNode resources, string field, MeshResourceKind kind, List<MeshResource> found, List<string> problems)
    {
        if (Child(resources, field) is not YamlSequenceNode items)
        {
            return;
        }
        var prefix = kind == MeshResourceKind.Listener ? "listener/" : "cluster/";
        for (var i = 0; i < items.Children.Count; i++)
        {
            var item = items.Children[i];
            // Envoy generates names for unnamed v2 listeners; the position keeps such a resource's key stable.
            var name = item is YamlMappingNode map && Child(map, "name") is YamlScalarNode { Value: { Length: > 0 } n } ? n : $"#{i}";
            var resource = new MeshResource(kind, prefix + name, Write(item));
            if (resource.SizeBytes > MaxResourceBytes)
            {
                problems.Add($"{StaticResources}.{field}[{i}] (line {item.Start.Line}): '{name}' is {resource.SizeBytes} bytes as YAML, over the {MaxResourceBytes}-byte limit of one replicated resource; split it");
            }
            found.Add(resource);
        }
    }

    private static YamlNode? Child(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    private static YamlNode? Parse(string yaml)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlDotNet.Core.YamlException)
        {
            return null;
        }
        return stream.Documents.Count == 0 ? null : stream.Documents[0].RootNode;
    }

    private static string Write(YamlNode node)
    {
        var text = new StringBuilder();
        using (var writer = new StringWriter(text))
        {
            new YamlStream(new YamlDocument(node)).Save(writer, assignAnchors: false);
        }
        // Save ends every document with "...": one document needs no end marker.
        var s = text.ToString().TrimEnd();
        return (s.EndsWith("...", StringComparison.Ordinal) ? s[..^3].TrimEnd() : s) + "\n";
    }
}
