using ActorMesh.Config;
using ActorMesh.Http;

namespace ActorMesh.AccessLog.Filters;

/// <summary>
/// <c>response_flag_filter</c>: any of the listed flags is set; with none listed, any flag at all. Listed codes of
/// flags ActorMesh never sets count for nothing, so a list of only those never matches.
/// </summary>
internal sealed class ResponseFlagFilter : AccessLogFilter
{
    private readonly ResponseFlags _flags;
    private readonly bool _any;

    public ResponseFlagFilter(EquatableArray<string> codes)
    {
        _any = codes.Count == 0;
        foreach (var code in codes)
        {
            _flags |= ResponseFlagCodes.FromShortCode(code);
        }
    }

    public override bool Evaluate(StreamInfo info) => _any ? info.Flags != ResponseFlags.None : (info.Flags & _flags) != 0;
}
