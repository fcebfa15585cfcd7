using ActorMesh.Routing;

namespace ActorMesh.Upstream;

/// <summary>
/// A read or write on an upstream connection ended the try for a reason the codec knows (an HTTP/2 stream reset, a
/// protocol error), which decides the proxy's answer, its response flag and whether the try may be retried.
/// </summary>
public sealed class UpstreamResetException(UpstreamResetReason reason) : IOException("upstream reset: " + reason)
{
    public UpstreamResetReason Reason { get; } = reason;
}
