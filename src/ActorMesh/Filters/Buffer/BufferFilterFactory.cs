using ActorMesh.Config;
using ActorMesh.Http;

namespace ActorMesh.Filters.Buffer;

/// <summary>
/// <c>envoy.filters.http.buffer</c>'s limit, kept without holding the body back: a <c>Content-Length</c> over
/// <c>max_request_bytes</c> is answered 413 before anything goes upstream; a chunked body is counted as it streams
/// and answered 413 (the upstream request reset) once it passes the limit, unless the upstream has already answered.
/// A body within the limit streams as it arrives instead of being forwarded whole.
/// </summary>
internal sealed class BufferFilterFactory(string name, BufferConfig config) : IHttpFilterFactory
{
    private static readonly FilterLocalReply TooLarge = new(413, "Payload Too Large", ResponseFlags.None, "request_payload_too_large");
    private static readonly HttpFilter Reject = new RejectFilter();

    public string Name { get; } = name;

    public HttpFilter? CreateFilter(in HttpFilterContext context)
    {
        var limit = context.Route?.FilterConfig(Name) as BufferConfig ?? config;
        var request = context.Request;
        if (limit.Disabled)
        {
            return null;
        }
        return request.Framing switch
        {
            BodyFraming.ContentLength when request.ContentLength > limit.MaxRequestBytes => Reject,
            BodyFraming.Chunked => new CountingFilter(limit.MaxRequestBytes),
            _ => null,
        };
    }

    private sealed class RejectFilter : HttpFilter
    {
        public override FilterStatus OnRequestHeaders(in HttpFilterContext context) => FilterStatus.LocalReply(TooLarge);
    }

    private sealed class CountingFilter(long maxBytes) : HttpFilter
    {
        public override FilterStatus OnRequestBody(long receivedBytes) =>
            receivedBytes > maxBytes ? FilterStatus.LocalReply(TooLarge) : FilterStatus.Continue;
    }
}
