namespace ActorMesh.Config;

/// <summary>Envoy's <c>upgrade_configs</c> list, on the connection manager and on a route action.</summary>
internal static class UpgradeConfigReader
{
    public static EquatableArray<UpgradeConfig>? ReadAll(YamlMap owner, string key, ConfigReadContext context) =>
        ReadResults.AllOrNull(owner.Sequence(key).Select(item => Read(item, context)));

    private static UpgradeConfig? Read(SequenceItem item, ConfigReadContext context)
    {
        if (context.AsMap(item.Node, item.Path) is not { } map)
        {
            return null;
        }
        var type = map.RequiredScalar("upgrade_type");
        var enabled = map.Boolean("enabled");
        return type is null ? null : new UpgradeConfig(type, enabled ?? true);
    }
}
