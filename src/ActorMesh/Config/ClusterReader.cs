namespace ActorMesh.Config;

/// <summary>Envoy's <c>Cluster</c> with its endpoints from <c>load_assignment</c> or the legacy v2 <c>hosts</c>.</summary>
internal static class ClusterReader
{
    /// <summary>Envoy's lower bound on <c>dns_refresh_rate</c>.</summary>
    private static readonly TimeSpan MinDnsRefreshRate = TimeSpan.FromMilliseconds(1);

    private static readonly Dictionary<string, DiscoveryType> Types = new(StringComparer.OrdinalIgnoreCase)
    {
        ["STATIC"] = DiscoveryType.Static,
        ["STRICT_DNS"] = DiscoveryType.StrictDns,
    };

    private static readonly Dictionary<string, LbPolicy> LbPolicies = new(StringComparer.OrdinalIgnoreCase)
    {
        ["ROUND_ROBIN"] = LbPolicy.RoundRobin,
    };

    public static ClusterConfig? Read(SequenceItem item, ConfigReadContext context)
    {
        if (context.AsMap(item.Node, item.Path) is not { } cluster)
        {
            return null;
        }
        var name = cluster.RequiredScalar("name");
        var connectTimeout = cluster.Duration("connect_timeout");
        if (connectTimeout <= TimeSpan.Zero)
        {
            cluster.Error("connect_timeout", "must be greater than 0s");
        }
        var typeGiven = cluster.Has("type");
        var type = cluster.Enum("type", Types);
        var lbPolicy = cluster.Enum("lb_policy", LbPolicies);
        var dnsRefreshRate = cluster.Duration("dns_refresh_rate");
        if (dnsRefreshRate < MinDnsRefreshRate)
        {
            cluster.Error("dns_refresh_rate", "must be at least 1ms");
        }
        var endpoints = ReadEndpoints(cluster, context);

        // An unsupported type is already reported; judging its addresses as STATIC would only add noise.
        var knownType = typeGiven ? type : DiscoveryType.Static;
        if (endpoints is not null && knownType == DiscoveryType.Static)
        {
            foreach (var endpoint in endpoints.Value.Where(e => !SocketAddressReader.IsIpLiteral(e.Value.Address)))
            {
                context.Error(endpoint.HostPath, endpoint.HostMark,
                    $"'{endpoint.Value.Address}' is not an IP address, which a STATIC cluster needs (use STRICT_DNS for host names)");
            }
        }
        if (name is not null)
        {
            context.References.ClusterNames.Add(new Located<string>(name, cluster.ChildPath("name"), cluster.KeyMark("name")));
        }
        if (name is null || endpoints is null)
        {
            return null;
        }
        return new ClusterConfig(
            name,
            connectTimeout ?? ClusterConfig.DefaultConnectTimeout,
            type ?? DiscoveryType.Static,
            lbPolicy ?? LbPolicy.RoundRobin,
            endpoints.Value.Select(e => e.Value).ToEquatableArray(),
            dnsRefreshRate ?? ClusterConfig.DefaultDnsRefreshRate);
    }

    private static EquatableArray<ReadAddress>? ReadEndpoints(YamlMap cluster, ConfigReadContext context)
    {
        var hasLoadAssignment = cluster.Has("load_assignment");
        var fromLoadAssignment = cluster.Map("load_assignment") is { } loadAssignment
            ? ReadLoadAssignment(loadAssignment, context)
            : [];
        var hostItems = cluster.Sequence("hosts");
        if (hasLoadAssignment && hostItems.Count > 0)
        {
            cluster.Error("hosts", "cannot be combined with load_assignment");
        }
        var fromHosts = hostItems
            .Select(host => context.AsMap(host.Node, host.Path) is { } address
                ? SocketAddressReader.Read(address, AddressRules.Endpoint)
                : null)
            .ToArray();
        return ReadResults.AllOrNull(fromLoadAssignment.Concat(fromHosts));
    }

    private static ReadAddress?[] ReadLoadAssignment(YamlMap loadAssignment, ConfigReadContext context)
    {
        // Envoy takes cluster_name as informational for static resources; the cluster's own name governs.
        loadAssignment.Scalar("cluster_name");
        return loadAssignment.Sequence("endpoints")
            .SelectMany(locality => context.AsMap(locality.Node, locality.Path) is { } endpoints
                ? endpoints.Sequence("lb_endpoints").Select(lbEndpoint => ReadLbEndpoint(lbEndpoint, context))
                : [null])
            .ToArray();
    }

    private static ReadAddress? ReadLbEndpoint(SequenceItem item, ConfigReadContext context)
    {
        if (context.AsMap(item.Node, item.Path) is not { } lbEndpoint
            || lbEndpoint.RequiredMap("endpoint", "endpoint_name") is not { } endpoint)
        {
            return null;
        }
        return SocketAddressReader.ReadRequired(endpoint, "address", AddressRules.Endpoint);
    }
}
