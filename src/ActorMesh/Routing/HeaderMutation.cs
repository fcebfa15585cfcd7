using ActorMesh.AccessLog;
using ActorMesh.Config;
using ActorMesh.Http;

namespace ActorMesh.Routing;

/// <summary>
/// One level's <c>*_headers_to_add/remove</c> compiled (Envoy's <c>HeaderParser</c>): values are format strings
/// (<c>%DOWNSTREAM_REMOTE_ADDRESS%</c>, <c>%REQ(x)%</c>…) compiled once with the access log's parser.
/// </summary>
internal sealed class HeaderMutation
{
    public static readonly HeaderMutation None = new(HeaderMutationConfig.None);

    private readonly Addition[] _requestAdd;
    private readonly string[] _requestRemove;
    private readonly Addition[] _responseAdd;
    private readonly string[] _responseRemove;

    public HeaderMutation(HeaderMutationConfig config)
    {
        _requestAdd = config.RequestHeadersToAdd.Select(Addition.Compile).ToArray();
        _requestRemove = config.RequestHeadersToRemove.ToArray();
        _responseAdd = config.ResponseHeadersToAdd.Select(Addition.Compile).ToArray();
        _responseRemove = config.ResponseHeadersToRemove.ToArray();
        IsEmpty = config.IsEmpty;
    }

    public bool IsEmpty { get; }

    public void ApplyToRequest(HttpHeaders headers, StreamInfo info) => Apply(headers, info, _requestRemove, _requestAdd);

    public void ApplyToResponse(HttpHeaders headers, StreamInfo info) => Apply(headers, info, _responseRemove, _responseAdd);

    /// <summary>
    /// Envoy's <c>evaluateHeaders</c>: removals first (remove-before-add), then every addition decided against the
    /// headers as they were before this level added anything; then the overwrites in order (each a set, so the last
    /// of two for one key wins), then the appends.
    /// </summary>
    private static void Apply(HttpHeaders headers, StreamInfo info, string[] remove, Addition[] add)
    {
        foreach (var name in remove)
        {
            headers.Remove(name);
        }
        if (add.Length == 0)
        {
            return;
        }
        var values = new string?[add.Length];
        Span<bool> overwrite = add.Length <= 32 ? stackalloc bool[add.Length] : new bool[add.Length];
        for (var i = 0; i < add.Length; i++)
        {
            var value = add[i].Format(info);
            if (value.Length == 0 && !add[i].KeepEmptyValue)
            {
                continue;
            }
            var present = headers.Get(add[i].Key) is not null;
            var (apply, set) = add[i].Action switch
            {
                HeaderAppendAction.AddIfAbsent => (!present, false),
                HeaderAppendAction.OverwriteIfExists => (present, true),
                HeaderAppendAction.OverwriteIfExistsOrAdd => (true, true),
                _ => (true, false),
            };
            values[i] = apply ? value : null;
            overwrite[i] = set;
        }
        for (var i = 0; i < add.Length; i++)
        {
            if (overwrite[i] && values[i] is { } value)
            {
                headers.Set(add[i].Key, value);
            }
        }
        for (var i = 0; i < add.Length; i++)
        {
            if (!overwrite[i] && values[i] is { } value)
            {
                headers.Add(add[i].Key, value);
            }
        }
    }

    private sealed record Addition(string Key, FormatOperator[] Parts, HeaderAppendAction Action, bool KeepEmptyValue)
    {
        public static Addition Compile(HeaderValueOptionConfig config)
        {
            // The reader has already compiled the value once, so this cannot fail.
            FormatStringParser.TryParse(config.Value, out var parts, out _);
            return new Addition(config.Key, parts, config.AppendAction, config.KeepEmptyValue);
        }

        /// <summary>Unlike the access log, an unset value is empty rather than <c>-</c>, as in Envoy's header formatter.</summary>
        public string Format(StreamInfo info)
        {
            if (Parts.Length == 1 && Parts[0] is LiteralText literal)
            {
                return literal.Text;
            }
            var output = StringBuilderCache.AcquireLine();
            foreach (var part in Parts)
            {
                part.Append(info, output);
            }
            return StringBuilderCache.ToStringAndRelease(output);
        }
    }
}
