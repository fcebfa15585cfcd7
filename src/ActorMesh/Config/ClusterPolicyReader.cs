namespace ActorMesh.Config;

/// <summary>
/// The cluster fields that shape load balancing and resilience: <c>common_lb_config</c>, <c>least_request_lb_config</c>,
/// <c>ring_hash_lb_config</c>, <c>circuit_breakers</c> and <c>outlier_detection</c>.
/// </summary>
internal static class ClusterPolicyReader
{
    /// <summary>Envoy's bounds on <c>ring_hash_lb_config</c> ring sizes.</summary>
    private const long MaxRingSize = 8 * 1024 * 1024;

    private enum HashFunction
    {
        XxHash,
    }

    internal static readonly Dictionary<string, RoutingPriority> RoutingPriorities = new(StringComparer.OrdinalIgnoreCase)
    {
        ["DEFAULT"] = RoutingPriority.Default,
        ["HIGH"] = RoutingPriority.High,
    };

    private static readonly Dictionary<string, HashFunction> HashFunctions = new(StringComparer.OrdinalIgnoreCase)
    {
        ["XX_HASH"] = HashFunction.XxHash,
    };

    public static LoadBalancingConfig ReadLoadBalancing(YamlMap cluster, uint overprovisioningFactor)
    {
        var defaults = LoadBalancingConfig.Default;
        var panic = defaults.HealthyPanicThreshold;
        var localityWeighted = false;
        if (cluster.Map("common_lb_config") is { } common)
        {
            panic = ProtoValueReader.Percent(common, "healthy_panic_threshold") ?? panic;
            if (common.Map("locality_weighted_lb_config") is { } locality)
            {
                localityWeighted = true;
                locality.IgnoreRest();
            }
        }
        var choiceCount = defaults.ChoiceCount;
        if (cluster.Map("least_request_lb_config") is { } leastRequest)
        {
            // Envoy: choice_count must be at least 2.
            choiceCount = (int)(ProtoValueReader.UInt32(leastRequest, "choice_count", 2, 100) ?? choiceCount);
        }
        var minRing = defaults.MinimumRingSize;
        var maxRing = defaults.MaximumRingSize;
        if (cluster.Map("ring_hash_lb_config") is { } ringHash)
        {
            minRing = ProtoValueReader.UInt32(ringHash, "minimum_ring_size", 1, MaxRingSize) ?? minRing;
            maxRing = ProtoValueReader.UInt32(ringHash, "maximum_ring_size", 1, MaxRingSize) ?? maxRing;
            ringHash.Enum("hash_function", HashFunctions);
            if (minRing > maxRing)
            {
                ringHash.Error("minimum_ring_size", "must not exceed maximum_ring_size");
            }
        }
        return new LoadBalancingConfig(panic, localityWeighted, overprovisioningFactor, choiceCount, minRing, maxRing);
    }

    public static CircuitBreakersConfig ReadCircuitBreakers(YamlMap cluster, ConfigReadContext context)
    {
        if (cluster.Map("circuit_breakers") is not { } breakers)
        {
            return CircuitBreakersConfig.Default;
        }
        var result = CircuitBreakersConfig.Default;
        var seen = new HashSet<RoutingPriority>();
        foreach (var item in breakers.Sequence("thresholds"))
        {
            if (context.AsMap(item.Node, item.Path) is not { } thresholds)
            {
                continue;
            }
            var priority = thresholds.Enum("priority", RoutingPriorities) ?? RoutingPriority.Default;
            var high = priority == RoutingPriority.High;
            var d = ThresholdsConfig.Default;
            var read = new ThresholdsConfig(
                ProtoValueReader.UInt32(thresholds, "max_connections") ?? d.MaxConnections,
                ProtoValueReader.UInt32(thresholds, "max_pending_requests") ?? d.MaxPendingRequests,
                ProtoValueReader.UInt32(thresholds, "max_requests") ?? d.MaxRequests,
                ProtoValueReader.UInt32(thresholds, "max_retries") ?? d.MaxRetries,
                thresholds.Boolean("track_remaining") ?? false);
            // Envoy: of several thresholds for one priority, the first in the list applies.
            if (seen.Add(priority))
            {
                result = high ? result with { HighPriority = read } : result with { DefaultPriority = read };
            }
        }
        return result;
    }

    public static OutlierDetectionConfig? ReadOutlierDetection(YamlMap cluster)
    {
        if (cluster.Map("outlier_detection") is not { } od)
        {
            return null;
        }
        var d = OutlierDetectionConfig.Default;
        uint U(string key, uint fallback, long max = uint.MaxValue) => (uint)(ProtoValueReader.UInt32(od, key, 0, max) ?? fallback);
        TimeSpan D(string key, TimeSpan fallback)
        {
            var value = od.Duration(key);
            if (value <= TimeSpan.Zero)
            {
                od.Error(key, "must be greater than 0s");
            }
            return value is { } v && v > TimeSpan.Zero ? v : fallback;
        }
        return new OutlierDetectionConfig(
            U("consecutive_5xx", d.Consecutive5xx),
            U("consecutive_gateway_failure", d.ConsecutiveGatewayFailure),
            D("interval", d.Interval),
            D("base_ejection_time", d.BaseEjectionTime),
            D("max_ejection_time", d.MaxEjectionTime),
            U("max_ejection_percent", d.MaxEjectionPercent, 100),
            U("enforcing_consecutive_5xx", d.EnforcingConsecutive5xx, 100),
            U("enforcing_consecutive_gateway_failure", d.EnforcingConsecutiveGatewayFailure, 100),
            U("enforcing_success_rate", d.EnforcingSuccessRate, 100),
            U("success_rate_minimum_hosts", d.SuccessRateMinimumHosts),
            U("success_rate_request_volume", d.SuccessRateRequestVolume),
            U("success_rate_stdev_factor", d.SuccessRateStdevFactor));
    }
}
