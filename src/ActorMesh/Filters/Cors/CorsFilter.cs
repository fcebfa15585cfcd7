using ActorMesh.Http;

namespace ActorMesh.Filters.Cors;

/// <summary>
/// A CORS request from an allowed origin: a preflight (OPTIONS with <c>access-control-request-method</c>) is answered
/// here with 200 and the <c>access-control-allow-*</c> headers; any other request goes on and its response gets
/// <c>access-control-allow-origin</c> (and credentials, exposed headers), as Envoy's cors filter does.
/// </summary>
internal sealed class CorsFilter(string origin, bool preflight, CorsResolved policy) : HttpFilter
{
    private static readonly FilterLocalReply PreflightReply = new(200, string.Empty, ResponseFlags.None, "cors_response") { EncodedDirectly = true };

    public override FilterStatus OnRequestHeaders(in HttpFilterContext context) =>
        preflight ? FilterStatus.LocalReply(PreflightReply) : FilterStatus.Continue;

    public override void OnResponseHeaders(HttpHeaders headers, StreamInfo info)
    {
        headers.Set("access-control-allow-origin", origin);
        if (policy.AllowCredentials)
        {
            headers.Set("access-control-allow-credentials", "true");
        }
        if (!preflight)
        {
            SetIfAny(headers, "access-control-expose-headers", policy.ExposeHeaders);
            return;
        }
        SetIfAny(headers, "access-control-allow-methods", policy.AllowMethods);
        SetIfAny(headers, "access-control-allow-headers", policy.AllowHeaders);
        SetIfAny(headers, "access-control-max-age", policy.MaxAge);
    }

    private static void SetIfAny(HttpHeaders headers, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            headers.Set(name, value);
        }
    }
}

/// <summary>Each CORS field from the most specific level that sets it (route, then virtual host), as Envoy resolves them.</summary>
internal sealed record CorsResolved(string? AllowMethods, string? AllowHeaders, string? ExposeHeaders, string? MaxAge, bool AllowCredentials);
