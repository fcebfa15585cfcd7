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
        ["LOGICAL_DNS"] = DiscoveryType.LogicalDns,
    };

    private static readonly Dictionary<string, DnsLookupFamily> LookupFamilies = new(StringComparer.OrdinalIgnoreCase)
    {
        ["AUTO"] = DnsLookupFamily.Auto,
        ["V4_ONLY"] = DnsLookupFamily.V4Only,
        ["V6_ONLY"] = DnsLookupFamily.V6Only,
        ["V4_PREFERRED"] = DnsLookupFamily.V4Preferred,
        ["ALL"] = DnsLookupFamily.All,
    };

    private static readonly Dictionary<string, LbPolicy> LbPolicies = new(StringComparer.OrdinalIgnoreCase)
    {
        ["ROUND_ROBIN"] = LbPolicy.RoundRobin,
        ["LEAST_REQUEST"] = LbPolicy.LeastRequest,
        ["RANDOM"] = LbPolicy.Random,
        ["RING_HASH"] = LbPolicy.RingHash,
        ["MAGLEV"] = LbPolicy.Maglev,
    };

    /// <summary>Envoy's overprovisioning factor default (1.4, written as 140).</summary>
    private const uint DefaultOverprovisioningFactor = 140;

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
        var lookupFamily = cluster.Enum("dns_lookup_family", LookupFamilies);
        var overprovisioning = DefaultOverprovisioningFactor;
        var endpoints = ReadEndpoints(cluster, context, ref overprovisioning);
        var loadBalancing = ClusterPolicyReader.ReadLoadBalancing(cluster, overprovisioning);
        var circuitBreakers = ClusterPolicyReader.ReadCircuitBreakers(cluster, context);
        var outlierDetection = ClusterPolicyReader.ReadOutlierDetection(cluster);
        var healthChecks = HealthCheckReader.ReadAll(cluster, context);
        var (pool, http2) = UpstreamProtocolReader.Read(cluster);
        if (type == DiscoveryType.LogicalDns && endpoints is { Count: not 1 })
        {
            cluster.Error("load_assignment", "LOGICAL_DNS clusters must have a single locality_lb_endpoint and a single lb_endpoint");
        }

        // An unsupported type is already reported; judging its addresses as STATIC would only add noise.
        var knownType = typeGiven ? type : DiscoveryType.Static;
        if (endpoints is not null && knownType == DiscoveryType.Static)
        {
            foreach (var endpoint in endpoints.Value.Where(e => !SocketAddressReader.IsIpLiteral(e.Address.Value.Address)))
            {
                context.Error(endpoint.Address.HostPath, endpoint.Address.HostMark,
                    $"'{endpoint.Address.Value.Address}' is not an IP address, which a STATIC cluster needs (use STRICT_DNS for host names)");
            }
        }
        if (name is not null)
        {
            context.References.ClusterNames.Add(new Located<string>(name, cluster.ChildPath("name"), cluster.KeyMark("name")));
        }
        if (name is null || endpoints is null || healthChecks is null)
        {
            return null;
        }
        return new ClusterConfig(
            name,
            connectTimeout ?? ClusterConfig.DefaultConnectTimeout,
            type ?? DiscoveryType.Static,
            lbPolicy ?? LbPolicy.RoundRobin,
            endpoints.Value.Select(e => e.Address.Value).ToEquatableArray(),
            dnsRefreshRate ?? ClusterConfig.DefaultDnsRefreshRate)
        {
            // Left empty when every endpoint has the defaults, so such a config equals one written without them.
            LbEndpoints = endpoints.Value.All(e => e.Config == EndpointConfig.Plain(e.Address.Value))
                ? EquatableArray<EndpointConfig>.Empty
                : endpoints.Value.Select(e => e.Config).ToEquatableArray(),
            DnsLookupFamily = lookupFamily ?? DnsLookupFamily.V4Preferred,
            LoadBalancing = loadBalancing,
            CircuitBreakers = circuitBreakers,
            OutlierDetection = outlierDetection,
            HealthChecks = healthChecks.Value,
            ConnectionPool = pool,
            Http2ProtocolOptions = http2,
        };
    }

    /// <summary>An endpoint as read, with its address's position for checks that depend on the cluster type.</summary>
    private sealed record ReadEndpoint(ReadAddress Address, EndpointConfig Config);

    private static EquatableArray<ReadEndpoint>? ReadEndpoints(YamlMap cluster, ConfigReadContext context, ref uint overprovisioning)
    {
        var hasLoadAssignment = cluster.Has("load_assignment");
        ReadEndpoint?[] fromLoadAssignment = [];
        if (cluster.Map("load_assignment") is { } loadAssignment)
        {
            fromLoadAssignment = ReadLoadAssignment(loadAssignment, context);
            if (loadAssignment.Map("policy") is { } policy)
            {
                overprovisioning = (uint)(ProtoValueReader.UInt32(policy, "overprovisioning_factor", 1) ?? overprovisioning);
            }
        }
        var hostItems = cluster.Sequence("hosts");
        if (hasLoadAssignment && hostItems.Count > 0)
        {
            cluster.Error("hosts", "cannot be combined with load_assignment");
        }
        var fromHosts = hostItems
            .Select(host => context.AsMap(host.Node, host.Path) is { } address
                && SocketAddressReader.Read(address, AddressRules.Endpoint) is { } read
                    ? new ReadEndpoint(read, EndpointConfig.Plain(read.Value))
                    : null)
            .ToArray();
        return ReadResults.AllOrNull(fromLoadAssignment.Concat(fromHosts));
    }

    private static ReadEndpoint?[] ReadLoadAssignment(YamlMap loadAssignment, ConfigReadContext context)
    {
        // Envoy takes cluster_name as informational for static resources; the cluster's own name governs.
        loadAssignment.Scalar("cluster_name");
        var localities = loadAssignment.Sequence("endpoints");
        var read = new List<ReadEndpoint?>();
        for (var index = 0; index < localities.Count; index++)
        {
            var item = localities[index];
            if (context.AsMap(item.Node, item.Path) is not { } endpoints)
            {
                read.Add(null);
                continue;
            }
            var locality = ReadLocality(endpoints);
            var localityWeight = (uint)(ProtoValueReader.UInt32(endpoints, "load_balancing_weight", 1) ?? 0);
            // Envoy's bound on priority levels.
            var priority = (int)(endpoints.Integer("priority", 0, 127) ?? 0);
            // A locality with neither name nor weight takes no traffic under locality weighted LB and is no
            // locality at all otherwise: such entries share index 0, so splitting endpoints over them changes nothing.
            var localityIndex = locality == LocalityConfig.Empty && localityWeight == 0 ? 0 : index;
            read.AddRange(endpoints.Sequence("lb_endpoints").Select(lbEndpoint =>
                ReadLbEndpoint(lbEndpoint, context) is { } e
                    ? e with { Config = e.Config with { Priority = priority, LocalityIndex = localityIndex, Locality = locality, LocalityWeight = localityWeight } }
                    : null));
        }
        return read.ToArray();
    }

    private static LocalityConfig ReadLocality(YamlMap endpoints)
    {
        if (endpoints.Map("locality") is not { } locality)
        {
            return LocalityConfig.Empty;
        }
        return new LocalityConfig(locality.Scalar("region") ?? "", locality.Scalar("zone") ?? "", locality.Scalar("sub_zone") ?? "");
    }

    private static ReadEndpoint? ReadLbEndpoint(SequenceItem item, ConfigReadContext context)
    {
        if (context.AsMap(item.Node, item.Path) is not { } lbEndpoint)
        {
            return null;
        }
        // Envoy: load_balancing_weight is at least 1.
        var weight = (uint)(ProtoValueReader.UInt32(lbEndpoint, "load_balancing_weight", 1) ?? 1);
        if (lbEndpoint.RequiredMap("endpoint", "endpoint_name") is not { } endpoint)
        {
            return null;
        }
        var hostname = endpoint.Scalar("hostname") ?? string.Empty;
        var healthCheckPort = 0;
        if (endpoint.Map("health_check_config") is { } healthCheck)
        {
            healthCheckPort = (int)(healthCheck.Integer("port_value", 0, 65535) ?? 0);
        }
        if (SocketAddressReader.ReadRequired(endpoint, "address", AddressRules.Endpoint) is not { } address)
        {
            return null;
        }
        return new ReadEndpoint(address, EndpointConfig.Plain(address.Value) with
        {
            Hostname = hostname,
            Weight = weight,
            HealthCheckPort = healthCheckPort,
        });
    }
}
