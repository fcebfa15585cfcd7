namespace ActorMesh.Config;

/// <summary>
/// One entry of the bootstrap's <c>stats_sinks</c>: Envoy's statsd sink (UDP <c>address</c> or <c>tcp_cluster_name</c>,
/// checked against the configured clusters like route clusters) or its DogStatsD sink.
/// </summary>
internal static class StatsSinkReader
{
    public const string StatsdName = "envoy.stat_sinks.statsd";
    public const string DogStatsdName = "envoy.stat_sinks.dog_statsd";

    /// <summary>The largest UDP payload over IPv4: a bigger <c>max_bytes_per_datagram</c> could never be sent.</summary>
    private const long MaxDatagramBytes = 65507;

    private static readonly HashSet<string> StatsdTypeUrls = new(StringComparer.Ordinal)
    {
        "type.googleapis.com/envoy.config.metrics.v3.StatsdSink",
        "type.googleapis.com/envoy.config.metrics.v2.StatsdSink",
    };

    private static readonly HashSet<string> StatsdNames = new(StringComparer.Ordinal) { StatsdName, "envoy.statsd" };

    private static readonly HashSet<string> DogStatsdTypeUrls = new(StringComparer.Ordinal)
    {
        "type.googleapis.com/envoy.config.metrics.v3.DogStatsdSink",
        "type.googleapis.com/envoy.config.metrics.v2.DogStatsdSink",
    };

    private static readonly HashSet<string> DogStatsdNames = new(StringComparer.Ordinal) { DogStatsdName, "envoy.dog_statsd" };

    public static StatsSinkConfig? Read(SequenceItem item, ConfigReadContext context)
    {
        if (context.AsMap(item.Node, item.Path) is not { } sink || FilterDeclarationReader.Read(sink, context) is not { } declaration)
        {
            return null;
        }
        if (declaration.Is(StatsdTypeUrls, StatsdNames))
        {
            return Body(sink, declaration) is { } body ? ReadStatsd(declaration.CanonicalName(StatsdNames, StatsdName), body, context) : null;
        }
        if (declaration.Is(DogStatsdTypeUrls, DogStatsdNames))
        {
            return Body(sink, declaration) is { } body ? ReadDogStatsd(declaration.CanonicalName(DogStatsdNames, DogStatsdName), body) : null;
        }
        context.Unsupported(declaration.IdentityPath, declaration.IdentityMark,
            $"unsupported stats sink '{declaration.Identity}' (supported: {StatsdName}, {DogStatsdName})");
        declaration.Body?.IgnoreRest();
        return null;
    }

    /// <summary>Both sinks need a destination, so an entry without a config body cannot work.</summary>
    private static YamlMap? Body(YamlMap sink, FilterDeclaration declaration)
    {
        if (declaration.Body is null && !sink.HasAny("typed_config", "config"))
        {
            sink.Missing("typed_config");
        }
        return declaration.Body;
    }

    private static StatsdSinkConfig? ReadStatsd(string name, YamlMap body, ConfigReadContext context)
    {
        var prefix = Prefix(body);
        if (body.Has("address") && body.Has("tcp_cluster_name"))
        {
            body.Error("tcp_cluster_name", "only one of address or tcp_cluster_name may be set");
            body.Map("address")?.IgnoreRest();
            body.Take("tcp_cluster_name");
            return null;
        }
        if (body.Has("tcp_cluster_name"))
        {
            var cluster = body.RequiredScalar("tcp_cluster_name");
            if (cluster is null)
            {
                return null;
            }
            context.References.ClusterReferences.Add(new Located<string>(cluster, body.ChildPath("tcp_cluster_name"), body.KeyMark("tcp_cluster_name")));
            return new StatsdSinkConfig(name, null, cluster, prefix);
        }
        body.Take("tcp_cluster_name");
        var address = SocketAddressReader.ReadRequired(body, "address", AddressRules.StatsdTarget);
        return address is null ? null : new StatsdSinkConfig(name, address.Value, null, prefix);
    }

    private static DogStatsdSinkConfig? ReadDogStatsd(string name, YamlMap body)
    {
        var prefix = Prefix(body);
        var hasMaxBytes = body.Has("max_bytes_per_datagram");
        // A protobuf UInt64Value, written as the number itself in YAML/JSON; Envoy requires it to be greater than 0.
        var maxBytes = body.Integer("max_bytes_per_datagram", 1, MaxDatagramBytes);
        var address = SocketAddressReader.ReadRequired(body, "address", AddressRules.StatsdTarget);
        return address is null || (hasMaxBytes && maxBytes is null)
            ? null
            : new DogStatsdSinkConfig(name, address.Value, prefix, (int?)maxBytes);
    }

    /// <summary>Envoy's <c>prefix</c>: an empty one means the default, <c>envoy</c>.</summary>
    private static string Prefix(YamlMap body) => body.Scalar("prefix") is { Length: > 0 } prefix ? prefix : StatsSinkConfig.DefaultPrefix;
}
