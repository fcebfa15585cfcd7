using ActorMesh.Config;

namespace ActorMesh.Routing;

/// <summary>Envoy's <c>RedirectAction</c>: builds the <c>Location</c> (Envoy's <c>newUri</c>) for a request.</summary>
internal sealed class RedirectAction
{
    private readonly RedirectConfig _config;
    private readonly PathRewrite? _rewrite;
    private readonly bool _pathRedirectHasQuery;

    public RedirectAction(RedirectConfig config)
    {
        _config = config;
        _rewrite = PathRewrite.Create(config.PrefixRewrite, config.RegexRewrite);
        _pathRedirectHasQuery = config.PathRedirect?.Contains('?') == true;
    }

    public int ResponseCode => _config.ResponseCode;

    /// <param name="scheme">The request's scheme, <c>http</c> on a plain listener.</param>
    public string Location(string scheme, string host, string target, int matchedLength)
    {
        var finalScheme = _config.Scheme ?? scheme;
        var finalHost = FinalHost(_config.Host ?? host, finalScheme);
        var (path, query) = PathRewrite.Split(target);
        string finalPath;
        if (_config.PathRedirect is { } pathRedirect)
        {
            // A query in path_redirect replaces the request's; otherwise the request's is kept unless strip_query.
            finalPath = _pathRedirectHasQuery || _config.StripQuery ? pathRedirect : pathRedirect + query;
        }
        else
        {
            var newPath = _rewrite is null ? path : _rewrite.Rewrite(path, matchedLength);
            finalPath = _config.StripQuery ? newPath : newPath + query;
        }
        return string.Concat(finalScheme, "://", finalHost, finalPath);
    }

    /// <summary>
    /// Envoy's <c>processRequestHost</c>: a <c>port_redirect</c> replaces the host's port; otherwise the port is kept
    /// unless it is the new scheme's default (80 for http, 443 for https).
    /// </summary>
    private string FinalHost(string host, string scheme)
    {
        var portStart = PortStart(host);
        var bare = portStart < 0 ? host : host[..portStart];
        if (_config.Port is { } port)
        {
            return bare + ":" + port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        if (portStart < 0)
        {
            return host;
        }
        var requestPort = host.AsSpan(portStart + 1);
        var isDefault = (scheme == "http" && requestPort.SequenceEqual("80")) || (scheme == "https" && requestPort.SequenceEqual("443"));
        return isDefault ? bare : host;
    }

    private static int PortStart(string host)
    {
        var colon = host.LastIndexOf(':');
        var bracket = host.LastIndexOf(']');
        return colon > bracket ? colon : -1;
    }
}
