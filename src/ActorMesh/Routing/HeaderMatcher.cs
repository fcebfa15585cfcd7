using System.Globalization;
using ActorMesh.Config;
using ActorMesh.Http;
using ActorMesh.Stats;

namespace ActorMesh.Routing;

/// <summary>Envoy's <c>HeaderMatcher</c> at run time (<c>HeaderUtility::matchHeaders</c>), compiled once.</summary>
internal sealed class HeaderMatcher
{
    private readonly HeaderMatcherConfig _config;
    private readonly StringMatcher? _string;

    public HeaderMatcher(HeaderMatcherConfig config)
    {
        _config = config;
        _string = config.StringMatch is { } match ? new StringMatcher(match) : null;
    }

    public bool Matches(HttpHeaders headers) => Matches(Value(headers, _config.Name));

    /// <summary>
    /// Also matches the pseudo-headers Envoy's header map holds (<c>:path</c>, <c>:method</c>, <c>:authority</c>),
    /// read from the request line; filters' matchers (health check <c>:path</c>) name them.
    /// </summary>
    public bool Matches(HttpRequestHead request) => Matches(_config.Name switch
    {
        ":path" => request.Target,
        ":method" => request.Method,
        ":authority" => request.Headers.Get("host"),
        _ => Value(request.Headers, _config.Name),
    });

    private bool Matches(string? value)
    {
        if (value is null && !_config.TreatMissingHeaderAsEmpty)
        {
            // A missing header matches only "present_match: false"; invert_match turns that round.
            var absentMatches = _config.Kind == HeaderMatchKind.Present && !_config.Present;
            return absentMatches != _config.InvertMatch;
        }
        value ??= string.Empty;
        var matches = _config.Kind switch
        {
            HeaderMatchKind.Present => _config.Present,
            HeaderMatchKind.Range => long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)
                && n >= _config.RangeStart && n < _config.RangeEnd,
            _ => _string!.Matches(value),
        };
        return matches != _config.InvertMatch;
    }

    /// <summary>Envoy's <c>getAllOfHeaderAsString</c>: repeated fields are joined with a comma.</summary>
    private static string? Value(HttpHeaders headers, string name) =>
        headers.CountOf(name) switch
        {
            0 => null,
            1 => headers.Get(name),
            _ => string.Join(',', headers.GetAll(name)),
        };
}

/// <summary>Envoy's <c>QueryParameterMatcher</c>: the first occurrence of the parameter decides.</summary>
internal sealed class QueryParameterMatcher(QueryParameterMatcherConfig config)
{
    private readonly StringMatcher? _string = config.StringMatch is { } match ? new StringMatcher(match) : null;

    public bool Matches(string target) =>
        QueryString.Find(target, config.Name) is { } value && (_string is null || _string.Matches(value));
}

/// <summary>Reads one parameter from a request target's query without splitting the whole query.</summary>
internal static class QueryString
{
    /// <summary>The raw value of the first <paramref name="name"/> parameter ("" for <c>?name</c>), or null.</summary>
    public static string? Find(string target, string name)
    {
        var q = target.IndexOf('?');
        if (q < 0)
        {
            return null;
        }
        var query = target.AsSpan(q + 1);
        var fragment = query.IndexOf('#');
        if (fragment >= 0)
        {
            query = query[..fragment];
        }
        while (!query.IsEmpty)
        {
            var amp = query.IndexOf('&');
            var pair = amp < 0 ? query : query[..amp];
            var eq = pair.IndexOf('=');
            var key = eq < 0 ? pair : pair[..eq];
            if (key.SequenceEqual(name))
            {
                return eq < 0 ? string.Empty : pair[(eq + 1)..].ToString();
            }
            query = amp < 0 ? ReadOnlySpan<char>.Empty : query[(amp + 1)..];
        }
        return null;
    }
}
