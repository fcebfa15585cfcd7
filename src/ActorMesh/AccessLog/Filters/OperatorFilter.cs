using ActorMesh.Http;

namespace ActorMesh.AccessLog.Filters;

/// <summary><c>and_filter</c>: in order, stopping at the first filter that fails.</summary>
internal sealed class AndFilter(AccessLogFilter[] filters) : AccessLogFilter
{
    public override bool Evaluate(StreamInfo info)
    {
        foreach (var filter in filters)
        {
            if (!filter.Evaluate(info))
            {
                return false;
            }
        }
        return true;
    }
}

/// <summary><c>or_filter</c>: in order, stopping at the first filter that passes.</summary>
internal sealed class OrFilter(AccessLogFilter[] filters) : AccessLogFilter
{
    public override bool Evaluate(StreamInfo info)
    {
        foreach (var filter in filters)
        {
            if (filter.Evaluate(info))
            {
                return true;
            }
        }
        return false;
    }
}
