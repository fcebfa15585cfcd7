using YamlDotNet.RepresentationModel;

namespace ActorMesh.Config;

/// <summary>Envoy's <c>layered_runtime</c>: static, disk and admin layers (RTDS is not supported).</summary>
internal static class LayeredRuntimeReader
{
    public static EquatableArray<RuntimeLayerConfig>? Read(YamlMap runtime, ConfigReadContext context) =>
        ReadResults.AllOrNull(runtime.Sequence("layers").Select(item => ReadLayer(item, context)));

    private static RuntimeLayerConfig? ReadLayer(SequenceItem item, ConfigReadContext context)
    {
        if (context.AsMap(item.Node, item.Path) is not { } layer)
        {
            return null;
        }
        var name = layer.RequiredScalar("name");
        if (!HttpFilterReader.RejectUnsupported(layer, context, "rtds_layer") || name is null)
        {
            layer.IgnoreRest();
            return null;
        }
        if (layer.Take("static_layer") is { } staticNode)
        {
            var values = new List<KeyValuePair<string, string>>();
            return Flatten(staticNode, "", layer.ChildPath("static_layer"), values, context)
                ? new RuntimeLayerConfig(name, RuntimeLayerKind.Static) { StaticValues = values.ToEquatableArray() }
                : null;
        }
        if (layer.Map("disk_layer") is { } disk)
        {
            var root = disk.RequiredScalar("symlink_root");
            var subdirectory = disk.Scalar("subdirectory");
            HttpFilterReader.RejectUnsupported(disk, context, "append_service_cluster");
            return root is null ? null : new RuntimeLayerConfig(name, RuntimeLayerKind.Disk)
            {
                DiskPath = subdirectory is null ? root : Path.Combine(root, subdirectory),
            };
        }
        if (layer.Map("admin_layer") is not null)
        {
            return new RuntimeLayerConfig(name, RuntimeLayerKind.Admin);
        }
        layer.Error("requires one of static_layer, disk_layer or admin_layer");
        return null;
    }

    /// <summary>Envoy flattens a static layer's nested maps into dotted keys (<c>{fault: {http: …}}</c> → <c>fault.http…</c>).</summary>
    private static bool Flatten(YamlNode node, string prefix, string path, List<KeyValuePair<string, string>> values, ConfigReadContext context)
    {
        switch (node)
        {
            case YamlMappingNode map:
                var ok = true;
                foreach (var (key, value) in map.Children)
                {
                    var name = (key as YamlScalarNode)?.Value ?? "";
                    ok &= Flatten(value, prefix.Length == 0 ? name : $"{prefix}.{name}", $"{path}.{name}", values, context);
                }
                return ok;
            case YamlScalarNode scalar:
                values.Add(KeyValuePair.Create(prefix, scalar.Value ?? ""));
                return true;
            default:
                context.Error(path, node.Start, "expected a mapping or a scalar value");
                return false;
        }
    }
}
