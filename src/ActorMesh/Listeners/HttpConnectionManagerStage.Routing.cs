using ActorMesh.Config;
using ActorMesh.Http;
using ActorMesh.Routing;
using ActorMesh.Upstream;
using Akka.IO;

namespace ActorMesh.Listeners;

public sealed partial class HttpConnectionManagerStage
{
    /// <summary>
    /// What the route does to the request beyond picking a cluster: direct responses, redirects, path and host
    /// rewrites, header manipulation and request mirroring (Envoy's router filter and route entry).
    /// </summary>
    private sealed partial class Logic
    {
        // Envoy shadows a body only while it fits the connection's buffer (per_connection_buffer_limit_bytes' default).
        private const int MaxShadowBodyBytes = 1024 * 1024;

        private UpstreamCluster? _cluster;
        private WeightedClusterEntry? _weightedCluster;

        // The request's input to the load balancer (the route's hash_policy), ready for cluster.ChooseHost.
        private LoadBalancerContext _lbContext = LoadBalancerContext.None;

        private List<(UpstreamHost Host, HttpHeaders Headers)>? _shadows;
        private ByteString _shadowBody = ByteString.Empty;

        /// <summary>A <c>direct_response</c> route: the configured status and body, with the route's response headers.</summary>
        private void ReplyDirect(RouteEntry route, DirectResponseConfig direct)
        {
            _hcm.Stats.RqDirectResponse.Inc();
            ReplyLocally(direct.Status, direct.Body ?? string.Empty, ResponseFlags.None, "direct_response");
        }

        /// <summary>A <c>redirect</c> route: an empty body and <c>location</c> built from the request.</summary>
        private void ReplyRedirect(RouteEntry route, RedirectAction redirect, HttpRequestHead request)
        {
            _hcm.Stats.RqRedirect.Inc();
            var headers = new HttpHeaders(1);
            headers.Add("location", redirect.Location("http", request.Host, request.Target, route.MatchedLength(request.Path)));
            ReplyLocally(redirect.ResponseCode, string.Empty, ResponseFlags.None, "direct_response", headers);
        }

        /// <summary>
        /// The headers of a local reply to a routed request: the route's response header mutations (weighted cluster,
        /// route, virtual host, route configuration), then <paramref name="extraHeaders"/>; before routing, just those.
        /// </summary>
        private HttpHeaders? RouteLocalReplyHeaders(HttpHeaders? extraHeaders)
        {
            if (!InFlight || _route is not { } route)
            {
                return extraHeaders;
            }
            var headers = new HttpHeaders(4 + (extraHeaders?.Count ?? 0));
            ApplyResponseMutations(headers, route, _weightedCluster);
            if (extraHeaders is not null)
            {
                foreach (var header in extraHeaders.Items)
                {
                    headers.Add(header.Name, header.Value);
                }
            }
            return headers;
        }

        /// <summary>
        /// Envoy's <c>finalizeRequestHeaders</c> for the chosen host: the path rewrite (the original path kept in
        /// <c>x-envoy-original-path</c>) and the host rewrite. Header mutations come later, with the forwarded headers.
        /// </summary>
        private HttpRequestHead RewriteRequest(HttpRequestHead request, RouteEntry route, UpstreamHost host)
        {
            var action = route.Action;
            if (action.HostRewriteLiteral is { } literal)
            {
                request.Headers.Set("host", literal);
            }
            else if (action.AutoHostRewrite && host.Hostname.Length > 0)
            {
                request.Headers.Set("host", host.Hostname);
            }
            if (route.PathRewrite is not { } rewrite)
            {
                return request;
            }
            var (path, query) = PathRewrite.Split(request.Target);
            var newPath = rewrite.Rewrite(path, route.MatchedLength(path));
            request.Headers.Set("x-envoy-original-path", request.Target);
            var rewritten = request with { Target = newPath + query };
            _request = rewritten;
            _info!.Request = rewritten;
            return rewritten;
        }

        /// <summary>Route-level request mutations, most specific first (weighted cluster, route, virtual host, route configuration).</summary>
        private void ApplyRequestMutations(HttpHeaders headers)
        {
            if (_route is not { } route)
            {
                return;
            }
            _weightedCluster?.Headers.ApplyToRequest(headers, _info!);
            foreach (var level in route.HeaderMutations)
            {
                level.ApplyToRequest(headers, _info!);
            }
        }

        private void ApplyResponseMutations(HttpHeaders headers, RouteEntry? route, WeightedClusterEntry? weighted)
        {
            if (route is null)
            {
                return;
            }
            // %RESP(x)% reads the response headers being built.
            _info!.ResponseHeaders = headers;
            weighted?.Headers.ApplyToResponse(headers, _info);
            foreach (var level in route.HeaderMutations)
            {
                level.ApplyToResponse(headers, _info);
            }
        }

        /// <summary>Picks each mirror's host now; the copies go once the request body (if any) has been read.</summary>
        private void PrepareShadows(RouteEntry route, HttpRequestHead request)
        {
            _shadows = null;
            _shadowBody = ByteString.Empty;
            if (route.Mirrors.Length == 0 || request.WantsUpgrade)
            {
                return;
            }
            foreach (var mirror in route.Mirrors)
            {
                if (mirror.ChooseCluster(request.Headers, _hcm.Runtime) is not { } name || !_hcm.Clusters.TryGetValue(name, out var cluster))
                {
                    continue;
                }
                // Joins cluster.ChooseHost(in LoadBalancerContext) with the upstream work, like the primary's pick.
                if (cluster.ChooseHost(LoadBalancerContext.None) is { } host)
                {
                    _shadows ??= new List<(UpstreamHost, HttpHeaders)>(route.Mirrors.Length);
                    _shadows.Add((host, ShadowWriter.ShadowHeaders(request.Headers)));
                }
            }
            if (_requestComplete)
            {
                SendShadows();
            }
        }

        private void BufferShadowBody(ByteString data)
        {
            if (_shadows is null)
            {
                return;
            }
            if (_shadowBody.Count + data.Count > MaxShadowBodyBytes)
            {
                _shadows = null;
                _shadowBody = ByteString.Empty;
                return;
            }
            _shadowBody = _shadowBody.IsEmpty ? data : _shadowBody.Concat(data);
        }

        private void SendShadows()
        {
            if (_shadows is not { } shadows)
            {
                return;
            }
            var request = _request!;
            foreach (var (host, headers) in shadows)
            {
                ShadowWriter.Send(host, request.Method, request.Target, headers, _shadowBody, _hcm.Limits, _route!.Action.Timeout);
            }
            _shadows = null;
            _shadowBody = ByteString.Empty;
        }
    }
}
