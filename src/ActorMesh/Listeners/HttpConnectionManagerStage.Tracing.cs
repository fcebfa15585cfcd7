using ActorMesh.Http;
using ActorMesh.Tracing;

namespace ActorMesh.Listeners;

public sealed partial class HttpConnectionManagerStage
{
    /// <summary>The exchange's span, when the connection manager traces: started as the request goes upstream, finished with the exchange.</summary>
    private sealed partial class Logic
    {
        private ActiveSpan? _span;

        private void StartSpan(HttpHeaders upstreamHeaders)
        {
            if (_hcm.Tracer is { } tracer)
            {
                _span = tracer.StartSpan(upstreamHeaders);
            }
        }

        private void FinishSpan(StreamInfo info)
        {
            if (_hcm.Tracer is { } tracer)
            {
                tracer.FinishSpan(_span, info);
                _span = null;
            }
        }
    }
}
