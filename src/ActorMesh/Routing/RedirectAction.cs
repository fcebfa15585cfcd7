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
        var finalHost = FinalHost(host, scheme, finalScheme);
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
    /// Envoy's <c>processRequestHost</c> and <c>port_redirect</c>: the request's port goes when a <c>port_redirect</c>
    /// replaces it, or when the scheme changes and it was the old scheme's default (<c>:80</c> for http,
    /// <c>:443</c> for https).
    /// </summary>
    private string FinalHost(string requestHost, string requestScheme, string newScheme)
    {
        var host = _config.Host ?? requestHost;
        if (_config.Host is null && PortStart(host) is var portStart and >= 0)
        {
            var port = host.AsSpan(portStart);
            var remove = _config.Port is not null
                || (newScheme != requestScheme
                    && ((requestScheme == "http" && port.SequenceEqual(":80")) || (requestScheme == "https" && port.SequenceEqual(":443"))));
            if (remove)
            {
                host = host[..portStart];
            }
        }
        return _config.Port is { } newPort ? host + ":" + newPort.ToString(System.Globalization.CultureInfo.InvariantCulture) : host;
    }

    private static int PortStart(string host)
    {
        var colon = host.LastIndexOf(':');
        var bracket = host.LastIndexOf(']');
        return colon > bracket ? colon : -1;
    }
}
