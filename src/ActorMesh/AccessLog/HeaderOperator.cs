using System.Globalization;
using System.Text;
using ActorMesh.Http;

namespace ActorMesh.AccessLog;

/// <summary>
/// <c>%REQ(X?Y):Z%</c>, <c>%RESP(X?Y):Z%</c> and <c>%REQ_WITHOUT_QUERY(X?Y):Z%</c>: the first value of header X, else of
/// header Y, truncated to Z characters. Request pseudo-headers map to the HTTP/1.1 request as Envoy's codec maps them:
/// <c>:method</c> and <c>:path</c> to the request line, <c>:authority</c> to Host, <c>:scheme</c> to the
/// <c>x-forwarded-proto</c> the proxy sets; <c>:status</c> is the response code.
/// </summary>
internal sealed class HeaderOperator : FormatOperator
{
    private readonly bool _response;
    private readonly Header _main;
    private readonly Header? _alternative;
    private readonly int? _maxLength;
    private readonly bool _withoutQuery;

    public HeaderOperator(bool response, string main, string? alternative, int? maxLength, bool withoutQuery)
    {
        _response = response;
        _main = Header.Of(main);
        _alternative = alternative is null ? null : Header.Of(alternative);
        _maxLength = maxLength;
        _withoutQuery = withoutQuery;
    }

    public override bool Append(StreamInfo info, StringBuilder output)
    {
        var value = Find(info, _main) ?? (_alternative is { } alternative ? Find(info, alternative) : null);
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

    private string? Find(StreamInfo info, Header header)
    {
        if (_response)
        {
            return header.Pseudo switch
            {
                Pseudo.None => info.ResponseHeaders?.Get(header.Name),
                Pseudo.Status when info.ResponseCode != 0 => StatusText(info.ResponseCode),
                _ => null,
            };
        }
        if (info.Request is not { } request)
        {
            return null;
        }
        return header.Pseudo switch
        {
            Pseudo.None => request.Headers.Get(header.Name),
            Pseudo.Method => request.Method,
            Pseudo.Path => request.Target,
            Pseudo.Authority => request.Headers.Get("host"),
            Pseudo.Scheme => request.Headers.Get("x-forwarded-proto"),
            _ => null,
        };
    }

    // The common status codes are interned so that logging :status does not allocate.
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
        _ => code.ToString(CultureInfo.InvariantCulture),
    };

    private enum Pseudo
    {
        None,
        Method,
        Path,
        Authority,
        Scheme,
        Status,
        /// <summary>A pseudo-header HTTP/1.1 has no value for (<c>:protocol</c>…): always unspecified.</summary>
        Other,
    }

    /// <summary>A header name resolved once at compile time, so the per-request lookup does no string work.</summary>
    private readonly record struct Header(string Name, Pseudo Pseudo)
    {
        public static Header Of(string name) => new(name, name.StartsWith(':') ? name.ToLowerInvariant() switch
        {
            ":method" => Pseudo.Method,
            ":path" => Pseudo.Path,
            ":authority" => Pseudo.Authority,
            ":scheme" => Pseudo.Scheme,
            ":status" => Pseudo.Status,
            _ => Pseudo.Other,
        } : Pseudo.None);
    }
}
