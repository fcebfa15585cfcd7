namespace ActorMesh.Config;

/// <summary>Envoy's <c>RouteConfiguration</c>: virtual hosts, their routes, matches and actions.</summary>
internal static class RouteConfigurationReader
{
    // The other members of each protobuf oneof: when one is set, it is what gets reported (as unsupported),
    // not the member we need being missing.
    private static readonly string[] OtherActions = ["redirect", "direct_response", "filter_action", "non_forwarding_action"];

    private static readonly string[] OtherClusterSpecifiers =
        ["cluster_header", "weighted_clusters", "cluster_specifier_plugin", "inline_cluster_specifier_plugin"];

    private static readonly string[] OtherPathSpecifiers = ["safe_regex", "connect_matcher", "path_separated_prefix", "path_match_policy"];

    public static RouteConfiguration? Read(YamlMap routeConfig, ConfigReadContext context)
    {
        var name = routeConfig.Scalar("name") ?? "";
        var domains = context.References.BeginRouteConfiguration();
        var virtualHosts = ReadResults.AllOrNull(
            routeConfig.Sequence("virtual_hosts").Select(host => ReadVirtualHost(host, domains, context)));
        return virtualHosts is null ? null : new RouteConfiguration(name, virtualHosts.Value);
    }

    private static VirtualHostConfig? ReadVirtualHost(SequenceItem item, List<DomainClaim> claims, ConfigReadContext context)
    {
        if (context.AsMap(item.Node, item.Path) is not { } host)
        {
            return null;
        }
        var name = host.RequiredScalar("name");
        var domainItems = host.RequiredSequence("domains");
        if (domainItems.Count == 0 && host.Has("domains"))
        {
            host.Error("domains", "must list at least one domain");
        }
        var domains = ReadResults.AllOrNull(domainItems.Select(domain => ReadDomain(domain, name ?? "", claims, context)));
        var routes = ReadResults.AllOrNull(host.Sequence("routes").Select(route => ReadRoute(route, context)));
        if (name is null || domains is null || domains.Value.Count == 0 || routes is null)
        {
            return null;
        }
        return new VirtualHostConfig(name, domains.Value, routes.Value);
    }

    private static string? ReadDomain(SequenceItem item, string virtualHost, List<DomainClaim> claims, ConfigReadContext context)
    {
        if (context.AsScalar(item.Node, item.Path) is not { } domain)
        {
            return null;
        }
        if (domain.Length == 0)
        {
            context.Error(item.Path, item.Node.Start, "must not be empty");
            return null;
        }
        claims.Add(new DomainClaim(domain, virtualHost, item.Path, item.Node.Start));
        return domain;
    }

    private static RouteConfig? ReadRoute(SequenceItem item, ConfigReadContext context)
    {
        if (context.AsMap(item.Node, item.Path) is not { } route)
        {
            return null;
        }
        var name = route.Scalar("name");
        var match = route.RequiredMap("match") is { } matchMap ? ReadMatch(matchMap) : null;
        var action = route.RequiredMap("route", OtherActions) is { } actionMap ? ReadAction(actionMap, context) : null;
        return match is null || action is null ? null : new RouteConfig(name, match, action);
    }

    private static RouteMatchConfig? ReadMatch(YamlMap match)
    {
        var prefix = match.Scalar("prefix");
        var path = match.Scalar("path");
        if (prefix is not null && path is not null)
        {
            match.Error("path", "only one of prefix or path may be set");
            return null;
        }
        if (prefix is not null)
        {
            return new RouteMatchConfig(PathMatchKind.Prefix, prefix);
        }
        if (path is not null)
        {
            return new RouteMatchConfig(PathMatchKind.Path, path);
        }
        if (!match.HasAny(OtherPathSpecifiers))
        {
            match.Error("requires one of prefix or path");
        }
        return null;
    }

    private static RouteActionConfig? ReadAction(YamlMap action, ConfigReadContext context)
    {
        if (action.RequiredScalar("cluster", OtherClusterSpecifiers) is not { } cluster)
        {
            return null;
        }
        context.References.ClusterReferences.Add(new Located<string>(cluster, action.ChildPath("cluster"), action.KeyMark("cluster")));
        var timeout = action.Duration("timeout");
        var idleTimeout = action.Duration("idle_timeout");
        var upgrades = UpgradeConfigReader.ReadAll(action, "upgrade_configs", context);
        if (upgrades is null)
        {
            return null;
        }
        return new RouteActionConfig(cluster)
        {
            Timeout = timeout ?? RouteActionConfig.DefaultTimeout,
            IdleTimeout = idleTimeout,
            UpgradeConfigs = upgrades.Value,
        };
    }
}
