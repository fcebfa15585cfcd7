namespace ActorMesh.Config;

/// <summary>Envoy's <c>RouteConfiguration</c>: virtual hosts, their routes, matches and actions.</summary>
internal static class RouteConfigurationReader
{
    // The other members of each protobuf oneof: when one is set, it is what gets reported (as unsupported),
    // not the member we need being missing.
    private static readonly string[] OtherActions = ["redirect", "direct_response", "filter_action", "non_forwarding_action"];

    private static readonly string[] Actions = ["route", "redirect", "direct_response"];

    private static readonly Dictionary<string, RedirectResponseCode> RedirectCodes = new(StringComparer.OrdinalIgnoreCase)
    {
        ["MOVED_PERMANENTLY"] = RedirectResponseCode.MovedPermanently,
        ["FOUND"] = RedirectResponseCode.Found,
        ["SEE_OTHER"] = RedirectResponseCode.SeeOther,
        ["TEMPORARY_REDIRECT"] = RedirectResponseCode.TemporaryRedirect,
        ["PERMANENT_REDIRECT"] = RedirectResponseCode.PermanentRedirect,
    };

    public static RouteConfiguration? Read(YamlMap routeConfig, ConfigReadContext context)
    {
        var name = routeConfig.Scalar("name") ?? "";
        var domains = context.References.BeginRouteConfiguration();
        var maxBody = (int)(routeConfig.Integer("max_direct_response_body_size_bytes", 0, int.MaxValue) ?? RouteConfiguration.DefaultMaxDirectResponseBodyBytes);
        // Envoy's default; with no cluster discovery in ActorMesh every cluster is checked at load either way.
        routeConfig.Boolean("validate_clusters");
        var mostSpecificWins = routeConfig.Boolean("most_specific_header_mutations_wins") ?? false;
        var headers = HeaderMutationReader.Read(routeConfig, context);
        var virtualHosts = ReadResults.AllOrNull(
            routeConfig.Sequence("virtual_hosts").Select(host => ReadVirtualHost(host, domains, maxBody, context)));
        return virtualHosts is null || headers is null
            ? null
            : new RouteConfiguration(name, virtualHosts.Value) { Headers = headers, MostSpecificHeaderMutationsWins = mostSpecificWins };
    }

    private static VirtualHostConfig? ReadVirtualHost(SequenceItem item, List<DomainClaim> claims, int maxBodyBytes, ConfigReadContext context)
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
        var headers = HeaderMutationReader.Read(host, context);
        var retryPolicy = host.Map("retry_policy") is { } retryMap ? RetryPolicyReader.Read(retryMap, context) : null;
        var requestAttemptCount = host.Boolean("include_request_attempt_count") ?? false;
        var responseAttemptCount = host.Boolean("include_attempt_count_in_response") ?? false;
        var perFilter = ReadPerFilterConfig(host, host, context);
        var routes = ReadResults.AllOrNull(host.Sequence("routes").Select(route => ReadRoute(route, maxBodyBytes, context)));
        if (name is null || domains is null || domains.Value.Count == 0 || routes is null || headers is null || perFilter is null
            || (host.Has("retry_policy") && retryPolicy is null))
        {
            return null;
        }
        return new VirtualHostConfig(name, domains.Value, routes.Value)
        {
            Headers = headers,
            RetryPolicy = retryPolicy,
            IncludeRequestAttemptCount = requestAttemptCount,
            IncludeAttemptCountInResponse = responseAttemptCount,
            PerFilterConfig = perFilter.Value,
        };
    }

    /// <summary>
    /// <c>typed_per_filter_config</c> of <paramref name="owner"/>, plus the older <c>cors</c> field (on
    /// <paramref name="corsOwner"/>: the virtual host, or a route's action) as the cors filter's entry, which a typed
    /// entry for the cors filter overrides.
    /// </summary>
    private static EquatableArray<PerFilterConfig>? ReadPerFilterConfig(YamlMap owner, YamlMap? corsOwner, ConfigReadContext context)
    {
        var typed = HttpFilterReader.ReadPerFilterConfig(owner, context);
        var cors = corsOwner?.Map("cors") is { } corsMap ? CorsPolicyReader.Read(corsMap, context) : null;
        if (typed is null || (corsOwner?.Has("cors") == true && cors is null))
        {
            return null;
        }
        if (cors is null || typed.Value.Any(entry => entry.FilterName == CorsPolicyReader.Name))
        {
            return typed;
        }
        return typed.Value.Append(new PerFilterConfig(CorsPolicyReader.Name, cors)).ToEquatableArray();
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

    private static RouteConfig? ReadRoute(SequenceItem item, int maxBodyBytes, ConfigReadContext context)
    {
        if (context.AsMap(item.Node, item.Path) is not { } route)
        {
            return null;
        }
        var name = route.Scalar("name");
        var match = route.RequiredMap("match") is { } matchMap ? RouteMatchReader.Read(matchMap, context) : null;
        var headers = HeaderMutationReader.Read(route, context);
        var actions = Actions.Where(route.Has).ToArray();
        if (actions.Length > 1)
        {
            route.Error(actions[1], "only one of route, redirect or direct_response may be set");
            route.IgnoreRest();
            return null;
        }
        RouteActionConfig? action = null;
        RedirectConfig? redirect = null;
        DirectResponseConfig? direct = null;
        EquatableArray<PerFilterConfig>? perFilter = null;
        if (route.RequiredMap("route", OtherActions) is { } actionMap)
        {
            perFilter = ReadPerFilterConfig(route, actionMap, context);
            action = RouteActionReader.Read(actionMap, context);
        }
        else if (route.Map("redirect") is { } redirectMap)
        {
            redirect = ReadRedirect(redirectMap);
        }
        else if (route.Map("direct_response") is { } directMap)
        {
            direct = ReadDirectResponse(directMap, maxBodyBytes, context);
        }
        perFilter ??= ReadPerFilterConfig(route, null, context);
        if (match is null || headers is null || perFilter is null || (action is null && redirect is null && direct is null))
        {
            return null;
        }
        return new RouteConfig(name, match, action) { Redirect = redirect, DirectResponse = direct, Headers = headers, PerFilterConfig = perFilter.Value };
    }

    private static RedirectConfig? ReadRedirect(YamlMap map)
    {
        var scheme = map.Scalar("scheme_redirect");
        var https = map.Boolean("https_redirect") ?? false;
        if (scheme is not null && map.Has("https_redirect"))
        {
            map.Error("https_redirect", "only one of scheme_redirect or https_redirect may be set");
            return null;
        }
        var host = map.Scalar("host_redirect");
        var port = map.Integer("port_redirect", 0, 65535);
        var paths = new[] { "path_redirect", "prefix_rewrite", "regex_rewrite" }.Where(map.Has).ToArray();
        if (paths.Length > 1)
        {
            map.Error(paths[1], "only one of path_redirect, prefix_rewrite or regex_rewrite may be set");
            map.IgnoreRest();
            return null;
        }
        var pathRedirect = map.Scalar("path_redirect");
        var prefixRewrite = map.Scalar("prefix_rewrite");
        var regexRewrite = map.Map("regex_rewrite") is { } regexMap ? RouteActionReader.ReadRegexRewrite(regexMap) : null;
        var code = map.Enum("response_code", RedirectCodes);
        var stripQuery = map.Boolean("strip_query") ?? false;
        if ((map.Has("response_code") && code is null) || (map.Has("regex_rewrite") && regexRewrite is null))
        {
            return null;
        }
        return new RedirectConfig
        {
            Scheme = https ? "https" : scheme?.ToLowerInvariant(),
            Host = host,
            Port = port is null or 0 ? null : (int)port.Value,
            PathRedirect = pathRedirect,
            PrefixRewrite = prefixRewrite,
            RegexRewrite = regexRewrite,
            ResponseCode = (int)(code ?? RedirectResponseCode.MovedPermanently),
            StripQuery = stripQuery,
        };
    }

    private static DirectResponseConfig? ReadDirectResponse(YamlMap map, int maxBodyBytes, ConfigReadContext context)
    {
        var status = map.Integer("status", 100, 599);
        if (!map.Has("status"))
        {
            map.Missing("status");
        }
        string? body = null;
        if (map.Map("body") is { } bodyMap)
        {
            body = DataSourceReader.Read(bodyMap, context);
            var size = body is null ? 0 : System.Text.Encoding.UTF8.GetByteCount(body);
            if (size > maxBodyBytes)
            {
                bodyMap.Error($"response body size is {size} bytes; maximum is {maxBodyBytes}");
                return null;
            }
        }
        return status is null || (map.Has("body") && body is null) ? null : new DirectResponseConfig((int)status.Value, body);
    }
}
