using ActorMesh.Http;
using ActorMesh.Routing;

namespace ActorMesh.Filters;

/// <summary>What a filter sees of one request: its head, the route chosen for it (null: none matched) and its StreamInfo.</summary>
public readonly record struct HttpFilterContext(HttpRequestHead Request, RouteEntry? Route, StreamInfo Info);

/// <summary>
/// One filter's work on one request (Envoy's per-stream filter instance), made by its <see cref="IHttpFilterFactory"/>
/// only when the filter has something to do. The connection manager stage calls it on the stage's thread, so it
/// needs no synchronisation; every hook defaults to doing nothing.
/// </summary>
public abstract class HttpFilter
{
    /// <summary>The request head, before the router picks an upstream.</summary>
    public virtual FilterStatus OnRequestHeaders(in HttpFilterContext context) => FilterStatus.Continue;

    /// <summary>The delay <see cref="OnRequestHeaders"/> asked for has passed (on the stage's timer).</summary>
    public virtual FilterStatus OnDelayElapsed(in HttpFilterContext context) => FilterStatus.Continue;

    /// <summary>More of the request body arrived; <paramref name="receivedBytes"/> is the total so far.</summary>
    public virtual FilterStatus OnRequestBody(long receivedBytes) => FilterStatus.Continue;

    /// <summary>Response headers on their way downstream, from the upstream or a local reply (this filter's too).</summary>
    public virtual void OnResponseHeaders(HttpHeaders headers, StreamInfo info)
    {
    }

    /// <summary>The exchange is over, however it ended: give back what the filter holds.</summary>
    public virtual void OnComplete()
    {
    }
}

/// <summary>
/// Built once per config version from one <c>http_filters</c> entry, with its stats in their own scope; shared by
/// every connection, so it is immutable or lock-free.
/// </summary>
public interface IHttpFilterFactory
{
    /// <summary>The filter's v3 name: the key of its <c>typed_per_filter_config</c> entries.</summary>
    string Name { get; }

    /// <summary>The filter for this request, or null when it has nothing to do (the fast path allocates nothing).</summary>
    HttpFilter? CreateFilter(in HttpFilterContext context);
}

public enum FilterAction
{
    Continue,
    Delay,
    LocalReply,
}

/// <summary>What the chain does next: go on to the next filter, wait, or answer the request here.</summary>
public readonly struct FilterStatus
{
    private FilterStatus(FilterAction action, TimeSpan delay, FilterLocalReply? reply)
    {
        Action = action;
        DelayFor = delay;
        Reply = reply;
    }

    public static FilterStatus Continue => default;

    public FilterAction Action { get; }

    public TimeSpan DelayFor { get; }

    public FilterLocalReply? Reply { get; }

    /// <summary>Continue after <paramref name="delay"/>, on the stage's timer; no thread waits.</summary>
    public static FilterStatus Delay(TimeSpan delay) => new(FilterAction.Delay, delay, null);

    public static FilterStatus LocalReply(FilterLocalReply reply) => new(FilterAction.LocalReply, TimeSpan.Zero, reply);
}

/// <summary>
/// A filter's local reply (Envoy's <c>sendLocalReply</c>): status, body, response flag and
/// <c>%RESPONSE_CODE_DETAILS%</c>. Extra headers come from the filters' <see cref="HttpFilter.OnResponseHeaders"/>.
/// </summary>
public sealed record FilterLocalReply(int Status, string Body, ResponseFlags Flags, string Details)
{
    /// <summary>
    /// The filter's own response (Envoy's <c>encodeHeaders</c> from a filter, as the CORS preflight), not a
    /// <c>sendLocalReply</c>: <c>local_reply_config</c> leaves it alone.
    /// </summary>
    public bool EncodedDirectly { get; init; }
}
