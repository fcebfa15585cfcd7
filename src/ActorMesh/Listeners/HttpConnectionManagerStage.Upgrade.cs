using ActorMesh.Http;
using ActorMesh.Routing;
using Akka.IO;

namespace ActorMesh.Listeners;

public sealed partial class HttpConnectionManagerStage
{
    /// <summary>
    /// Protocol upgrades (WebSocket and any type <c>upgrade_configs</c> enables): the request goes upstream with its
    /// <c>Upgrade</c>; nothing more is sent until the upstream answers 101, after which bytes are tunnelled both ways
    /// until either side closes. A refused upgrade ends the connection after the response, as Envoy's does, so
    /// upgrade payload can never be read as HTTP.
    /// </summary>
    private sealed partial class Logic
    {
        private string? _upgradeType;
        private bool _tunnelling;

        private bool AcceptUpgrade(HttpRequestHead request, RouteEntry route)
        {
            var type = request.Headers.Get("upgrade")!;
            if (_hcm.UpgradeEnabled(type, route.Action))
            {
                _upgradeType = type;
                return true;
            }
            _hcm.Stats.DownstreamRqWsOnNonWsRoute.Inc();
            _abandonRequestBody = true;
            ReplyLocally(403, string.Empty, ResponseFlags.None, "upgrade_failed");
            return false;
        }

        private void StartTunnel(HttpResponseHead response, ByteString early)
        {
            _tunnelling = true;
            _response = response;
            _status = 101;
            StopRequestTimers();
            _hcm.Stats.DownstreamCxUpgradesTotal.Inc();
            _hcm.Stats.DownstreamCxUpgradesActive.Inc();
            var headers = response.Headers;
            var protocol = headers.Get("upgrade") ?? _upgradeType!;
            headers.RemoveHopByHop();
            headers.Add("connection", "upgrade");
            headers.Add("upgrade", protocol);
            AddResponseHeaders(headers);
            _responseHeadSent = true;
            _info!.ResponseHeaders = headers;
            _info.ResponseCodeDetails = "via_upstream";
            var head = Http1Writer.ResponseHead(HttpVersion.Http11, 101, response.Reason, headers);
            Emit(_stage.Out, early.IsEmpty ? head : head.Concat(early), ReadUpstream);
            _info.BytesSent += early.Count;
            PullIfOpen();
        }

        /// <summary>Either side closed the tunnel: close the other, then the connection.</summary>
        private void FinishTunnel()
        {
            if (!_tunnelling)
            {
                return;
            }
            _tunnelling = false;
            _hcm.Stats.DownstreamCxUpgradesActive.Dec();
            ReleaseUpstream(success: true, reusable: false);
            _responseDone = true;
            _abandonRequestBody = true;
            FinishExchange();
        }
    }
}
