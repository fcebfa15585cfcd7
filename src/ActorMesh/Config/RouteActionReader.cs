namespace ActorMesh.Config;

/// <summary>Envoy's <c>RouteAction</c>: cluster specifier, rewrites, timeouts, mirrors, the hash policy and the routing priority.</summary>
internal static class RouteActionReader
{
    private static readonly string[] ClusterSpecifiers = ["cluster", "cluster_header", "weighted_clusters"];

    private static readonly string[] HostRewrites = ["host_rewrite_literal", "host_rewrite", "auto_host_rewrite"];

    public static RouteActionConfig? Read(YamlMap action, ConfigReadContext context)
    {
        var specifiers = ClusterSpecifiers.Where(action.Has).ToArray();
        if (specifiers.Length > 1)
        {
            action.Error(specifiers[1], "only one of cluster, cluster_header or weighted_clusters may be set");
            action.IgnoreRest();
            return null;
        }
        var cluster = action.RequiredScalar("cluster", "cluster_header", "weighted_clusters", "cluster_specifier_plugin", "inline_cluster_specifier_plugin");
        if (cluster is not null)
        {
            context.References.ClusterReferences.Add(new Located<string>(cluster, action.ChildPath("cluster"), action.KeyMark("cluster")));
        }
        var clusterHeader = action.Scalar("cluster_header");
        if (clusterHeader is { Length: 0 })
        {
            action.Error("cluster_header", "must not be empty");
        }
        var weighted = action.Map("weighted_clusters") is { } weightedMap ? ReadWeightedClusters(weightedMap, context) : null;
        var timeout = action.Duration("timeout");
        var idleTimeout = action.Duration("idle_timeout");
        var upgrades = UpgradeConfigReader.ReadAll(action, "upgrade_configs", context);
        var prefixRewrite = action.Scalar("prefix_rewrite");
        var regexRewrite = action.Map("regex_rewrite") is { } regexMap ? ReadRegexRewrite(regexMap) : null;
        if (prefixRewrite is not null && action.Has("regex_rewrite"))
        {
            action.Error("regex_rewrite", "cannot specify both prefix_rewrite and regex_rewrite");
        }
        var hostRewrites = HostRewrites.Where(action.Has).ToArray();
        if (hostRewrites.Length > 1)
        {
            action.Error(hostRewrites[1], $"only one of {string.Join(", ", HostRewrites)} may be set");
        }
        var hostLiteral = action.Scalar("host_rewrite_literal") ?? action.Scalar("host_rewrite");
        var autoHost = action.Boolean("auto_host_rewrite") ?? false;
        var mirrors = ReadMirrors(action, context);
        var hashPolicies = ReadResults.AllOrNull(action.Sequence("hash_policy").Select(p => ReadHashPolicy(p, context)));
        var retryPolicy = action.Map("retry_policy") is { } retryMap ? RetryPolicyReader.Read(retryMap, context) : null;
        var priority = action.Enum("priority", ClusterPolicyReader.RoutingPriorities) ?? RoutingPriority.Default;
        var specified = cluster is not null || clusterHeader is { Length: > 0 } || weighted is not null;
        if (!specified || upgrades is null || mirrors is null || hashPolicies is null || hostRewrites.Length > 1
            || (action.Has("regex_rewrite") && (regexRewrite is null || prefixRewrite is not null))
            || (action.Has("weighted_clusters") && weighted is null)
            || (action.Has("retry_policy") && retryPolicy is null))
        {
            return null;
        }
        return new RouteActionConfig(cluster ?? "")
        {
            ClusterHeader = clusterHeader,
            WeightedClusters = weighted,
            Timeout = timeout ?? RouteActionConfig.DefaultTimeout,
            IdleTimeout = idleTimeout,
            UpgradeConfigs = upgrades.Value,
            PrefixRewrite = prefixRewrite,
            RegexRewrite = regexRewrite,
            HostRewriteLiteral = hostLiteral,
            AutoHostRewrite = autoHost,
            MirrorPolicies = mirrors.Value,
            HashPolicies = hashPolicies.Value,
            RetryPolicy = retryPolicy,
            Priority = priority,
        };
    }

    /// <summary><c>regex_rewrite</c> (Envoy's <c>RegexMatchAndSubstitute</c>), also used by redirects.</summary>
    public static RegexRewriteConfig? ReadRegexRewrite(YamlMap map)
    {
        var pattern = map.Has("pattern") ? RouteMatchReader.ReadSafeRegex(map, "pattern") : null;
        if (!map.Has("pattern"))
        {
            map.Missing("pattern");
        }
        var substitution = map.Take("substitution") is null ? "" : map.Scalar("substitution") ?? "";
        return pattern is null ? null : new RegexRewriteConfig(pattern, substitution);
    }

    private static WeightedClustersConfig? ReadWeightedClusters(YamlMap map, ConfigReadContext context)
    {
        var clusters = ReadResults.AllOrNull(map.RequiredSequence("clusters").Select(c => ReadWeightedCluster(c, context)));
        var totalWeight = map.Integer("total_weight", 1, uint.MaxValue);
        if (clusters is null)
        {
            return null;
        }
        if (clusters.Value.Count == 0)
        {
            map.Error("clusters", "must list at least one cluster");
            return null;
        }
        var sum = clusters.Value.Sum(c => c.Weight);
        if (sum == 0 || sum > uint.MaxValue)
        {
            map.Error("clusters", "sum of weights must be greater than 0 and fit in 32 bits");
            return null;
        }
        // v2's total_weight must equal the sum; v3 deprecates it and uses the sum.
        if (totalWeight is { } total && total != sum)
        {
            map.Error("total_weight", $"sum of weights in the weighted_cluster ({sum}) must equal total_weight ({total})");
            return null;
        }
        return new WeightedClustersConfig(clusters.Value, sum);
    }

    private static WeightedClusterConfig? ReadWeightedCluster(SequenceItem item, ConfigReadContext context)
    {
        if (context.AsMap(item.Node, item.Path) is not { } entry)
        {
            return null;
        }
        var name = entry.RequiredScalar("name");
        if (name is not null)
        {
            context.References.ClusterReferences.Add(new Located<string>(name, entry.ChildPath("name"), entry.KeyMark("name")));
        }
        var weight = entry.Integer("weight", 0, uint.MaxValue) ?? 0;
        var headers = HeaderMutationReader.Read(entry, context);
        return name is null || headers is null ? null : new WeightedClusterConfig(name, weight) { Headers = headers };
    }

    private static EquatableArray<MirrorPolicyConfig>? ReadMirrors(YamlMap action, ConfigReadContext context)
    {
        var items = action.Sequence("request_mirror_policies").ToList();
        var policies = ReadResults.AllOrNull(items.Select(item =>
            context.AsMap(item.Node, item.Path) is { } map ? ReadMirror(map, context) : null));
        // v2's single request_mirror_policy.
        if (action.Map("request_mirror_policy") is { } legacy)
        {
            var one = ReadMirror(legacy, context);
            return one is null || policies is null ? null : policies.Value.Append(one).ToEquatableArray();
        }
        return policies;
    }

    private static MirrorPolicyConfig? ReadMirror(YamlMap map, ConfigReadContext context)
    {
        var cluster = map.Scalar("cluster");
        var clusterHeader = map.Scalar("cluster_header");
        if ((cluster is null) == (clusterHeader is null))
        {
            map.Error("exactly one of cluster or cluster_header is required");
            map.IgnoreRest();
            return null;
        }
        if (cluster is not null)
        {
            context.References.ClusterReferences.Add(new Located<string>(cluster, map.ChildPath("cluster"), map.KeyMark("cluster")));
        }
        RuntimeFractionConfig? fraction = null;
        if (map.Map("runtime_fraction") is { } fractionMap && (fraction = RouteMatchReader.ReadRuntimeFraction(fractionMap)) is null)
        {
            return null;
        }
        // v2's runtime_key: a percentage (0-100) of requests, default 0 when the key is unset.
        if (map.Scalar("runtime_key") is { } runtimeKey)
        {
            fraction = new RuntimeFractionConfig(0, FractionDenominator.Hundred, runtimeKey);
        }
        // trace_sampled only concerns the shadow's span, which ActorMesh does not trace.
        map.Boolean("trace_sampled");
        return new MirrorPolicyConfig(cluster, clusterHeader, fraction);
    }

    private static HashPolicyConfig? ReadHashPolicy(SequenceItem item, ConfigReadContext context)
    {
        if (context.AsMap(item.Node, item.Path) is not { } policy)
        {
            return null;
        }
        var terminal = policy.Boolean("terminal") ?? false;
        if (policy.Map("header") is { } header)
        {
            return header.RequiredScalar("header_name") is { } name ? new HashPolicyConfig(HashPolicyKind.Header, name, terminal) : null;
        }
        if (policy.Map("cookie") is { } cookie)
        {
            var name = cookie.RequiredScalar("name");
            if (cookie.Has("ttl"))
            {
                context.Unsupported(cookie.ChildPath("ttl"), cookie.KeyMark("ttl"), "cookie generation (ttl) is not supported");
                cookie.IgnoreRest();
                return null;
            }
            return name is null ? null : new HashPolicyConfig(HashPolicyKind.Cookie, name, terminal);
        }
        if (policy.Map("connection_properties") is { } connection)
        {
            return connection.Boolean("source_ip") == true ? new HashPolicyConfig(HashPolicyKind.SourceIp, "", terminal) : null;
        }
        if (policy.Map("query_parameter") is { } query)
        {
            return query.RequiredScalar("name") is { } name ? new HashPolicyConfig(HashPolicyKind.QueryParameter, name, terminal) : null;
        }
        if (!policy.HasAny("filter_state"))
        {
            policy.Error("requires one of header, cookie, connection_properties or query_parameter");
        }
        return null;
    }
}
