using ActorMesh.AccessLog;
using ActorMesh.Config;
using ActorMesh.Http;
using ActorMesh.Runtime;

namespace ActorMesh.Listeners;

/// <summary>
/// A local reply as it goes out: its status and body, the content type to add (null: none, or the one already in
/// <see cref="Headers"/>), and its headers so far.
/// </summary>
public readonly record struct RewrittenReply(int Status, string Body, string? ContentType, HttpHeaders? Headers);

/// <summary>
/// Envoy's <c>LocalReply</c> (<c>local_reply_config</c>): the one seam every reply the connection manager makes itself
/// passes through, as Envoy's <c>sendLocalReply</c> does: no route, no healthy upstream, connect failures, timeouts,
/// codec errors, filter replies (fault abort, rate limit, health check, buffer) and direct responses and redirects. The
/// first mapper whose filter matches rewrites body, headers and status; then the body is formatted
/// (<c>%LOCAL_REPLY_BODY%</c> as text/plain by default) and its content type chosen as Envoy's
/// <c>prepareLocalReply</c> does. Immutable, shared by the connection manager's connections.
/// </summary>
public sealed class LocalReplyRewriter
{
    /// <summary>Envoy's content types for local reply bodies.</summary>
    public const string TextContentType = "text/plain";
    public const string JsonContentType = "application/json";

    private const string ContentTypeHeader = "content-type";

    /// <summary>No <c>local_reply_config</c>: replies go out as made.</summary>
    public static readonly LocalReplyRewriter Default = new(null, null);

    private readonly ResponseMapper[] _mappers;
    private readonly LocalReplyBodyFormat? _bodyFormat;

    /// <param name="runtime">Read by the mappers' filters' runtime keys; null: every key keeps its default.</param>
    public LocalReplyRewriter(LocalReplyConfig? config, RuntimeLoader? runtime)
    {
        _mappers = config?.Mappers.Select(m => new ResponseMapper(m, runtime)).ToArray() ?? [];
        _bodyFormat = config?.BodyFormat is { } format ? new LocalReplyBodyFormat(format) : null;
    }

    /// <summary>
    /// Rewrites a local reply of <paramref name="status"/> with <paramref name="body"/> and the headers the caller
    /// already has (a route's <c>response_headers_to_add</c>, a redirect's location). Sets the stream's response code,
    /// as the mappers' status code filters and <c>%RESPONSE_CODE%</c> read it.
    /// </summary>
    public RewrittenReply Rewrite(StreamInfo info, int status, string body, HttpHeaders? headers)
    {
        info.ResponseCode = status;
        if (_mappers.Length == 0 && _bodyFormat is null)
        {
            return Finish(status, body, body, TextContentType, headers, customContentType: false);
        }
        headers ??= new HttpHeaders(4);
        // The mappers' filters and format strings read %RESP(x)% from the headers being built.
        info.ResponseHeaders = headers;
        var contentTypeBefore = headers.Get(ContentTypeHeader);
        var original = body;
        var format = _bodyFormat;
        foreach (var mapper in _mappers)
        {
            if (mapper.TryRewrite(info, ref status, ref body, ref format))
            {
                break;
            }
        }
        var customContentType = !string.Equals(contentTypeBefore, headers.Get(ContentTypeHeader), StringComparison.Ordinal);
        if (format is null)
        {
            return Finish(status, original, body, TextContentType, headers, customContentType);
        }
        info.LocalReplyBody = body;
        try
        {
            body = format.Formatter.Format(info);
        }
        finally
        {
            info.LocalReplyBody = null;
        }
        return Finish(status, original, body, format.ContentType, headers, customContentType);
    }

    /// <summary>
    /// Envoy's content type rule: none without a body; the headers' own when they have one, unless the body was
    /// rewritten and no mapper set a content type, in which case the body format's replaces it.
    /// </summary>
    private static RewrittenReply Finish(int status, string original, string body, string contentType, HttpHeaders? headers, bool customContentType)
    {
        var present = headers?.Get(ContentTypeHeader) is not null;
        if (body.Length == 0 || (present && (customContentType || string.Equals(body, original, StringComparison.Ordinal))))
        {
            if (body.Length == 0 && present)
            {
                headers!.Remove(ContentTypeHeader);
            }
            return new RewrittenReply(status, body, null, headers);
        }
        if (present)
        {
            headers!.Remove(ContentTypeHeader);
        }
        return new RewrittenReply(status, body, contentType, headers);
    }
}

/// <summary>A <c>body_format</c> or <c>body_format_override</c>: the compiled format and its content type.</summary>
internal sealed class LocalReplyBodyFormat(AccessLogFormatConfig config)
{
    public AccessLogFormatter Formatter { get; } = AccessLogFormatter.Create(config);

    /// <summary>The configured <c>content_type</c>, else JSON's or text's, as Envoy's <c>BodyFormatter</c> picks.</summary>
    public string ContentType { get; } = config.ContentType is { Length: > 0 } type ? type
        : config.JsonFormat is not null ? LocalReplyRewriter.JsonContentType
        : LocalReplyRewriter.TextContentType;
}
