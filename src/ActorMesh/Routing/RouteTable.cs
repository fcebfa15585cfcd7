using ActorMesh.Config;
using ActorMesh.Http;
using ActorMesh.Runtime;

namespace ActorMesh.Routing;

public sealed record VirtualHostEntry(string Name, IReadOnlyList<RouteEntry> Routes)
{
    /// <summary>Envoy's rule: the first route whose every condition holds wins.</summary>
    public RouteEntry? Match(HttpRequestHead request, RuntimeLoader? runtime)
    {
        foreach (var route in Routes)
        {
            if (route.Matches(request, runtime))
            {
                return route;
            }
        }
        return null;
    }

    /// <summary>Envoy's rule: the first route whose match succeeds wins.</summary>
    public RouteEntry? Match(string path)
    {
        foreach (var route in Routes)
        {
            if (route.Matches(path))
            {
                return route;
            }
        }
        return null;
    }
}

/// <summary>
/// Envoy's virtual host selection: exact domain, then the longest <c>*.suffix</c>, then the longest <c>prefix.*</c>,
/// then <c>*</c>. Host comparison ignores case; a Host with a port that matches no domain is tried without it.
/// </summary>
public sealed class RouteTable
{
    private readonly Dictionary<string, VirtualHostEntry> _exact = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<(string Suffix, VirtualHostEntry Host)> _suffixes = new();
    private readonly List<(string Prefix, VirtualHostEntry Host)> _prefixes = new();
    private VirtualHostEntry? _default;

    public RouteTable(RouteConfiguration config)
    {
        var global = new HeaderMutation(config.Headers);
        foreach (var vh in config.VirtualHosts)
        {
            var hostHeaders = new HeaderMutation(vh.Headers);
            var entry = new VirtualHostEntry(
                vh.Name,
                vh.Routes.Select(r => new RouteEntry(r, hostHeaders, global, config.MostSpecificHeaderMutationsWins, vh.PerFilterConfig)).ToArray());
            foreach (var domain in vh.Domains)
            {
                if (domain == "*")
                {
                    _default ??= entry;
                }
                else if (domain.StartsWith('*'))
                {
                    _suffixes.Add((domain[1..], entry));
                }
                else if (domain.EndsWith('*'))
                {
                    _prefixes.Add((domain[..^1], entry));
                }
                else
                {
                    _exact.TryAdd(domain, entry);
                }
            }
        }
        _suffixes.Sort((a, b) => b.Suffix.Length.CompareTo(a.Suffix.Length));
        _prefixes.Sort((a, b) => b.Prefix.Length.CompareTo(a.Prefix.Length));
    }

    public VirtualHostEntry? SelectVirtualHost(string host)
    {
        var found = Select(host);
        if (found is null)
        {
            var withoutPort = StripPort(host);
            if (withoutPort.Length != host.Length)
            {
                found = Select(withoutPort);
            }
        }
        return found ?? _default;
    }

    public RouteEntry? Match(string host, string path) => SelectVirtualHost(host)?.Match(path);

    public RouteEntry? Match(HttpRequestHead request, RuntimeLoader? runtime) => SelectVirtualHost(request.Host)?.Match(request, runtime);

    private VirtualHostEntry? Select(string host)
    {
        if (_exact.TryGetValue(host, out var exact))
        {
            return exact;
        }
        // A wildcard stands for at least one character, so "*.example.com" does not match "example.com" itself.
        foreach (var (suffix, entry) in _suffixes)
        {
            if (host.Length > suffix.Length && host.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                return entry;
            }
        }
        foreach (var (prefix, entry) in _prefixes)
        {
            if (host.Length > prefix.Length && host.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                return entry;
            }
        }
        return null;
    }

    private static string StripPort(string host)
    {
        var colon = host.LastIndexOf(':');
        var bracket = host.LastIndexOf(']');
        return colon > bracket && colon > 0 ? host[..colon] : host;
    }
}
