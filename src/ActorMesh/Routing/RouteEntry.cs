using System.Text.RegularExpressions;
using ActorMesh.Config;
using ActorMesh.Http;
using ActorMesh.Runtime;

namespace ActorMesh.Routing;

/// <summary>
/// A route ready to match: every regex, matcher, rewrite and header formatter compiled once per config, read
/// lock-free by every connection. Matching a request allocates nothing.
/// </summary>
public sealed class RouteEntry
{
    private static readonly RouteActionConfig NoAction = new(string.Empty);

    private readonly RouteMatchConfig _match;
    private readonly StringComparison _comparison;
    private readonly Regex? _pathRegex;
    private readonly HeaderMatcher[] _headers;
    private readonly QueryParameterMatcher[] _queryParameters;
    private readonly RuntimeFraction? _runtimeFraction;
    private readonly WeightedClusterEntry[] _weighted;
    private readonly long _totalWeight;

    private readonly EquatableArray<PerFilterConfig> _virtualHostFilters;

    internal RouteEntry(RouteConfig config, HeaderMutation virtualHost, HeaderMutation routeConfiguration, bool mostSpecificWins, VirtualHostConfig? host = null, RetryPolicy? virtualHostRetryPolicy = null)
    {
        IncludeRequestAttemptCount = host?.IncludeRequestAttemptCount ?? false;
        IncludeAttemptCountInResponse = host?.IncludeAttemptCountInResponse ?? false;
        Config = config;
        _virtualHostFilters = host?.PerFilterConfig ?? EquatableArray<PerFilterConfig>.Empty;
        _match = config.Match;
        _comparison = _match.CaseSensitive ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;
        _pathRegex = _match.Kind == PathMatchKind.SafeRegex ? Re2Regex.CompileFullMatch(_match.Value) : null;
        _headers = _match.Headers.Select(h => new HeaderMatcher(h)).ToArray();
        _queryParameters = _match.QueryParameters.Select(q => new QueryParameterMatcher(q)).ToArray();
        _runtimeFraction = _match.RuntimeFraction is { } fraction ? new RuntimeFraction(fraction) : null;
        var action = config.Action;
        _weighted = action?.WeightedClusters?.Clusters.Select(c => new WeightedClusterEntry(c.Name, c.Weight, new HeaderMutation(c.Headers))).ToArray() ?? [];
        _totalWeight = action?.WeightedClusters?.TotalWeight ?? 0;
        PathRewrite = PathRewrite.Create(action?.PrefixRewrite, action?.RegexRewrite);
        Mirrors = action?.MirrorPolicies.Select(m => new MirrorPolicy(m)).ToArray() ?? [];
        HashPolicy = new HashPolicy(action?.HashPolicies ?? EquatableArray<HashPolicyConfig>.Empty);
        Redirect = config.Redirect is { } redirect ? new RedirectAction(redirect) : null;
        // Envoy: a route's retry_policy replaces its virtual host's whole.
        RetryPolicy = action?.RetryPolicy is { } retry ? new RetryPolicy(retry) : virtualHostRetryPolicy;
        // Envoy's default order applies the route's mutations first and the route configuration's last.
        HeaderMutation[] levels = [new HeaderMutation(config.Headers), virtualHost, routeConfiguration];
        if (mostSpecificWins)
        {
            Array.Reverse(levels);
        }
        HeaderMutations = levels.Where(l => !l.IsEmpty).ToArray();
    }

    public string? Name => Config.Name;

    /// <summary>The route's <c>typed_per_filter_config</c> for a filter, else its virtual host's: the most specific wins.</summary>
    public HttpFilterSettings? FilterConfig(string filterName) =>
        RouteFilterConfig(filterName) ?? VirtualHostFilterConfig(filterName);

    public HttpFilterSettings? RouteFilterConfig(string filterName) => Find(Config.PerFilterConfig, filterName);

    public HttpFilterSettings? VirtualHostFilterConfig(string filterName) => Find(_virtualHostFilters, filterName);

    private static HttpFilterSettings? Find(EquatableArray<PerFilterConfig> entries, string filterName)
    {
        foreach (var entry in entries)
        {
            if (entry.FilterName == filterName)
            {
                return entry.Settings;
            }
        }
        return null;
    }

    public RouteConfig Config { get; }

    /// <summary>The route action; an empty one for <c>redirect</c> and <c>direct_response</c> routes, which never reach an upstream.</summary>
    public RouteActionConfig Action => Config.Action ?? NoAction;

    /// <summary>The <c>cluster</c> a route names directly; empty for <c>cluster_header</c> and <c>weighted_clusters</c>.</summary>
    public string Cluster => Action.Cluster;

    public DirectResponseConfig? DirectResponse => Config.DirectResponse;

    internal RedirectAction? Redirect { get; }

    internal PathRewrite? PathRewrite { get; }

    internal MirrorPolicy[] Mirrors { get; }

    public HashPolicy HashPolicy { get; }

    /// <summary>The route's retry policy, else its virtual host's; null when neither has one.</summary>
    public RetryPolicy? RetryPolicy { get; }

    /// <summary>The virtual host's <c>include_request_attempt_count</c>.</summary>
    public bool IncludeRequestAttemptCount { get; }

    /// <summary>The virtual host's <c>include_attempt_count_in_response</c>.</summary>
    public bool IncludeAttemptCountInResponse { get; }

    /// <summary>Route, virtual host and route configuration levels in the order they apply (empty levels left out).</summary>
    internal HeaderMutation[] HeaderMutations { get; }

    /// <summary>Path only: the route's headers, query and runtime conditions see an empty request.</summary>
    public bool Matches(string path) => MatchesPath(path) && _headers.Length == 0 && _queryParameters.Length == 0 && _runtimeFraction is null;

    public bool Matches(HttpRequestHead request, RuntimeLoader? runtime)
    {
        if (!MatchesPath(request.Path))
        {
            return false;
        }
        foreach (var header in _headers)
        {
            if (!header.Matches(request.Headers))
            {
                return false;
            }
        }
        foreach (var query in _queryParameters)
        {
            if (!query.Matches(request.Target))
            {
                return false;
            }
        }
        return _runtimeFraction is null || _runtimeFraction.Sample(runtime);
    }

    /// <summary>How much of <paramref name="path"/> the path specifier matched: what <c>prefix_rewrite</c> replaces.</summary>
    public int MatchedLength(string path) =>
        _match.Kind is PathMatchKind.Prefix or PathMatchKind.PathSeparatedPrefix ? _match.Value.Length : path.Length;

    /// <summary>
    /// The cluster for this request: the route's <c>cluster</c>, the first value of <c>cluster_header</c>, or a
    /// weighted pick (Envoy: a random value modulo the total weight, walking the clusters in order). Null when the
    /// header is missing.
    /// </summary>
    internal string? ChooseCluster(HttpHeaders headers, out WeightedClusterEntry? weighted)
    {
        weighted = null;
        var action = Action;
        if (action.ClusterHeader is { } header)
        {
            return headers.Get(header);
        }
        if (_weighted.Length == 0)
        {
            return action.Cluster;
        }
        var selected = Random.Shared.NextInt64(_totalWeight);
        long end = 0;
        foreach (var entry in _weighted)
        {
            end += entry.Weight;
            if (selected < end)
            {
                weighted = entry;
                return entry.Name;
            }
        }
        weighted = _weighted[^1];
        return weighted.Name;
    }

    private bool MatchesPath(string path) => _match.Kind switch
    {
        PathMatchKind.Prefix => path.StartsWith(_match.Value, _comparison),
        PathMatchKind.Path => string.Equals(path, _match.Value, _comparison),
        PathMatchKind.PathSeparatedPrefix => path.StartsWith(_match.Value, _comparison)
            && (path.Length == _match.Value.Length || path[_match.Value.Length] == '/'),
        _ => Re2Regex.IsMatch(_pathRegex!, path),
    };
}

/// <summary>One cluster of <c>weighted_clusters</c> with its own header mutations, applied before the route's.</summary>
internal sealed record WeightedClusterEntry(string Name, long Weight, HeaderMutation Headers);

/// <summary>Envoy's <c>RequestMirrorPolicy</c> at run time.</summary>
internal sealed class MirrorPolicy(MirrorPolicyConfig config)
{
    private readonly RuntimeFraction? _fraction = config.RuntimeFraction is { } f ? new RuntimeFraction(f) : null;

    /// <summary>The shadow cluster for this request, or null when it is not sampled or the header is missing.</summary>
    public string? ChooseCluster(HttpHeaders headers, RuntimeLoader? runtime)
    {
        if (_fraction is not null && !_fraction.Sample(runtime))
        {
            return null;
        }
        return config.Cluster ?? headers.Get(config.ClusterHeader!);
    }
}
