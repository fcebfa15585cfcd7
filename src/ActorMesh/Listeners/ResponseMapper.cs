using ActorMesh.AccessLog.Filters;
using ActorMesh.Config;
using ActorMesh.Http;
using ActorMesh.Routing;
using ActorMesh.Runtime;

namespace ActorMesh.Listeners;

/// <summary>
/// One <c>local_reply_config</c> mapper (Envoy's <c>ResponseMapper</c>): when its filter matches the reply it sets the
/// body, adds the headers (where <c>%RESPONSE_CODE%</c> is still the original code), replaces the status, and names
/// the body format, in Envoy's order.
/// </summary>
internal sealed class ResponseMapper
{
    private readonly AccessLogFilter _filter;
    private readonly int? _status;
    private readonly string? _body;
    private readonly HeaderMutation _headers;
    private readonly LocalReplyBodyFormat? _format;

    public ResponseMapper(ResponseMapperConfig config, RuntimeLoader? runtime)
    {
        _filter = AccessLogFilter.Create(config.Filter, runtime);
        _status = config.StatusCode;
        _body = config.Body;
        _headers = config.HeadersToAdd.Count == 0
            ? HeaderMutation.None
            : new HeaderMutation(HeaderMutationConfig.None with { ResponseHeadersToAdd = config.HeadersToAdd });
        _format = config.BodyFormatOverride is { } format ? new LocalReplyBodyFormat(format) : null;
    }

    /// <summary>False, changing nothing, when the filter does not match.</summary>
    public bool TryRewrite(StreamInfo info, ref int status, ref string body, ref LocalReplyBodyFormat? format)
    {
        if (!_filter.Evaluate(info))
        {
            return false;
        }
        if (_body is not null)
        {
            body = _body;
        }
        if (!_headers.IsEmpty)
        {
            _headers.ApplyToResponse(info.ResponseHeaders!, info);
        }
        if (_status is { } rewritten && rewritten != status)
        {
            status = rewritten;
            info.ResponseCode = rewritten;
        }
        if (_format is not null)
        {
            format = _format;
        }
        return true;
    }
}
