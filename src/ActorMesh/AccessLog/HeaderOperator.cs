using System.Text;
using ActorMesh.Http;

namespace ActorMesh.AccessLog;

/// <summary>
/// <c>%REQ(X?Y):Z%</c>, <c>%RESP(X?Y):Z%</c> and <c>%REQ_WITHOUT_QUERY(X?Y):Z%</c>: the first value of header X, else of
/// header Y, truncated to Z characters. Request pseudo-headers map to the HTTP/1.1 request as Envoy's codec maps them:
/// <c>:method</c> and <c>:path</c> to the request line, <c>:authority</c> to Host; <c>:status</c> is the response code.
/// </summary>
internal sealed class HeaderOperator : FormatOperator
{
    private readonly bool _response;
    private readonly string _main;
    private readonly string? _alternative;
    private readonly int? _maxLength;
    private readonly bool _withoutQuery;

    public HeaderOperator(bool response, string main, string? alternative, int? maxLength, bool withoutQuery)
    {
        _response = response;
        _main = main;
        _alternative = alternative;
        _maxLength = maxLength;
        _withoutQuery = withoutQuery;
    }

    public override bool Append(StreamInfo info, StringBuilder output)
    {
        var value = Find(info, _main) ?? (_alternative is null ? null : Find(info, _alternative));
        if (value is null)
        {
            return false;
        }
        var span = value.AsSpan();
        if (_withoutQuery && span.IndexOf('?') is var q and >= 0)
        {
            span = span[..q];
        }
        if (_maxLength is { } max && span.Length > max)
        {
            span = span[..max];
        }
        output.Append(span);
        return true;
    }

    private string? Find(StreamInfo info, string name)
    {
        if (_response)
        {
            if (name.Equals(":status", StringComparison.OrdinalIgnoreCase))
            {
                return info.ResponseCode == 0 ? null : StatusText(info.ResponseCode);
            }
            return info.ResponseHeaders?.Get(name);
        }
        if (info.Request is not { } request)
        {
            return null;
        }
        if (name.Length > 0 && name[0] == ':')
        {
            return name.ToLowerInvariant() switch
            {
                ":method" => request.Method,
                ":path" => request.Target,
                ":authority" => request.Headers.Get("host"),
                ":scheme" => request.Headers.Get("x-forwarded-proto"),
                _ => null,
            };
        }
        return request.Headers.Get(name);
    }

    // Status codes are three digits; the common ones are interned so a logged :status does not allocate.
    private static string StatusText(int code) => code switch
    {
        200 => "200",
        204 => "204",
        301 => "301",
        302 => "302",
        304 => "304",
        400 => "400",
        404 => "404",
        500 => "500",
        502 => "502",
        503 => "503",
        504 => "504",
        _ => code.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
