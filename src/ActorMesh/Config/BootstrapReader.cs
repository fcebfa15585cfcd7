namespace ActorMesh.Config;

/// <summary>The top of an Envoy bootstrap: <c>static_resources</c> and <c>admin</c>.</summary>
internal static class BootstrapReader
{
    public static BootstrapConfig? Read(YamlMap root, ConfigReadContext context)
    {
        var staticResources = root.Map("static_resources") is { } resources
            ? ReadStaticResources(resources, context)
            : new StaticResourcesConfig(EquatableArray<ListenerConfig>.Empty, EquatableArray<ClusterConfig>.Empty);
        var admin = root.Map("admin") is { } adminMap ? ReadAdmin(adminMap) : null;
        if (staticResources is null || (root.Has("admin") && admin is null))
        {
            return null;
        }
        return new BootstrapConfig(staticResources, admin);
    }

    private static StaticResourcesConfig? ReadStaticResources(YamlMap resources, ConfigReadContext context)
    {
        var listeners = ReadResults.AllOrNull(
            resources.Sequence("listeners").Select((listener, index) => ListenerReader.Read(listener, index, context)));
        var clusters = ReadResults.AllOrNull(resources.Sequence("clusters").Select(cluster => ClusterReader.Read(cluster, context)));
        return listeners is null || clusters is null ? null : new StaticResourcesConfig(listeners.Value, clusters.Value);
    }

    private static AdminConfig? ReadAdmin(YamlMap admin)
    {
        var accessLogPath = admin.Scalar("access_log_path");
        return SocketAddressReader.ReadRequired(admin, "address", AddressRules.Bind) is { } address
            ? new AdminConfig(address.Value, accessLogPath)
            : null;
    }
}
