using System.Globalization;
using System.Text;
using ActorMesh.Config;

namespace ActorMesh.Commands.Palettes;

/// <summary>
/// <c>mesh routes</c>: a listener's route table as an indented tree, listener → virtual hosts → routes, each route as
/// its match and its action (cluster, weights, redirect, direct response), in the order Envoy tries them.
/// </summary>
internal static class RouteTree
{
    public static IEnumerable<string> Lines(ListenerConfig listener, string boundAddress)
    {
        yield return $"listener {listener.Name} on {boundAddress}";
        foreach (var manager in listener.FilterChains.SelectMany(c => c.Filters).OfType<HttpConnectionManagerConfig>())
        {
            yield return $"  route_config {Name(manager.RouteConfig.Name)} (stat_prefix {manager.StatPrefix})";
            foreach (var host in manager.RouteConfig.VirtualHosts)
            {
                yield return $"    virtual_host {host.Name} domains [{string.Join(", ", host.Domains)}]";
                foreach (var route in host.Routes)
                {
                    yield return $"      {Match(route.Match)} -> {Action(route)}";
                }
            }
        }
    }

    private static string Name(string name) => name.Length == 0 ? "(unnamed)" : name;

    private static string Match(RouteMatchConfig match)
    {
        var text = new StringBuilder(match.Kind switch
        {
            PathMatchKind.Prefix => "prefix ",
            PathMatchKind.Path => "path ",
            PathMatchKind.SafeRegex => "safe_regex ",
            _ => "path_separated_prefix ",
        }).Append(match.Value.Length == 0 ? "\"\"" : match.Value);
        if (!match.CaseSensitive)
        {
            text.Append(" (case-insensitive)");
        }
        foreach (var header in match.Headers)
        {
            text.Append(header.InvertMatch ? " !header " : " header ").Append(header.Name);
        }
        foreach (var query in match.QueryParameters)
        {
            text.Append(" query ").Append(query.Name);
        }
        if (match.RuntimeFraction is { } fraction)
        {
            text.Append(" runtime_fraction ").Append(fraction.Numerator.ToString(CultureInfo.InvariantCulture)).Append('/').Append(((int)fraction.Denominator).ToString(CultureInfo.InvariantCulture));
        }
        return text.ToString();
    }

    private static string Action(RouteConfig route)
    {
        if (route.Redirect is { } redirect)
        {
            return $"redirect {redirect.ResponseCode.ToString(CultureInfo.InvariantCulture)}"
                + (redirect.Host is { } host ? " host " + host : "")
                + (redirect.PathRedirect is { } path ? " path " + path : "")
                + (redirect.Scheme is { } scheme ? " scheme " + scheme : "");
        }
        if (route.DirectResponse is { } direct)
        {
            return $"direct_response {direct.Status.ToString(CultureInfo.InvariantCulture)}";
        }
        if (route.Action is not { } action)
        {
            return "(no action)";
        }
        var text = new StringBuilder();
        if (action.WeightedClusters is { } weighted)
        {
            text.Append("weighted_clusters ").AppendJoin(", ", weighted.Clusters.Select(c => $"{c.Name}:{c.Weight.ToString(CultureInfo.InvariantCulture)}"));
        }
        else if (action.ClusterHeader is { } header)
        {
            text.Append("cluster_header ").Append(header);
        }
        else
        {
            text.Append("cluster ").Append(action.Cluster);
        }
        if (action.PrefixRewrite is { } rewrite)
        {
            text.Append(" prefix_rewrite ").Append(rewrite);
        }
        if (action.Timeout != RouteActionConfig.DefaultTimeout)
        {
            text.Append(" timeout ").Append(action.Timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)).Append('s');
        }
        if (action.RetryPolicy is not null)
        {
            text.Append(" retries");
        }
        return text.ToString();
    }
}
