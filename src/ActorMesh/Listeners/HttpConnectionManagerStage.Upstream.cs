using System.Diagnostics;
using System.Globalization;
using ActorMesh.Config;
using ActorMesh.Http;
using ActorMesh.Routing;
using ActorMesh.Upstream;
using Akka.IO;
using Akka.Util;

namespace ActorMesh.Listeners;

public sealed partial class HttpConnectionManagerStage
{
    /// <summary>The exchange with the upstream: request head and body out, response head and body back.</summary>
    private sealed partial class Logic
    {
        private readonly List<ByteString> _slices = new();
        private Action<(int Generation, Task Write)> _onWritten = null!;
        private Action<(int Generation, Task<Option<ByteString>> Read)> _onRead = null!;

        private UpstreamConnection? _upstream;
        private long _upstreamStart;
        private ByteString _responseBuffer = ByteString.Empty;
        private HttpResponseHead? _response;
        private BodyDecoder? _responseBody;
        private bool _chunkToDownstream;
        private bool _responseHeadSent;

        private void StartUpstream(UpstreamConnection upstream, HttpRequestHead request)
        {
            _upstream = upstream;
            var headers = UpstreamHeaders(request);
            AddRequestAttemptCount(headers);
            var head = Http1Writer.RequestHead(request.Method, request.Target, headers);
            RecordForReplay(head, headers);
            BeginTry(upstream, head);
        }

        /// <summary>One try: the request's bytes so far to <paramref name="upstream"/>, then its response awaited.</summary>
        private void BeginTry(UpstreamConnection upstream, ByteString bytes)
        {
            _upstream = upstream;
            _upstreamStart = Stopwatch.GetTimestamp();
            _response = null;
            _responseBody = null;
            _responseBuffer = ByteString.Empty;
            WriteUpstream(bytes);
            ReadUpstream();
            StartTryTimer();
        }

        private HttpHeaders UpstreamHeaders(HttpRequestHead request)
        {
            var headers = request.Headers;
            var upgrade = _upgradeType;
            headers.RemoveHopByHop();
            if (upgrade is not null)
            {
                headers.Add("connection", "upgrade");
                headers.Add("upgrade", upgrade);
            }
            if (request.Framing == BodyFraming.Chunked)
            {
                headers.Add("transfer-encoding", "chunked");
            }
            ForwardingHeaders.Apply(headers, _hcm.Forwarding, _remoteIp);
            ApplyRequestMutations(headers);
            StartSpan(headers);
            return headers;
        }

        private void WriteUpstream(ByteString bytes)
        {
            var generation = _generation;
            var write = _upstream!.WriteAsync(bytes);
            if (write.IsCompleted)
            {
                // Small writes usually complete at once: no need to go round the stage's mailbox.
                OnUpstreamWritten((generation, write));
                return;
            }
            write.ContinueWith(
                static (t, state) =>
                {
                    var (callback, gen) = ((Action<(int, Task)>, int))state!;
                    callback((gen, t));
                },
                (_onWritten, generation),
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }

        private void OnUpstreamWritten((int Generation, Task Write) written)
        {
            if (written.Generation != _generation || _upstream is null)
            {
                return;
            }
            // A failed write surfaces on the read side too, which decides the answer; here we only stop sending.
            // An upgrade request sends nothing more until the upstream has switched protocols.
            if (written.Write.IsCompletedSuccessfully && !_requestComplete && (_upgradeType is null || _tunnelling))
            {
                PullIfOpen();
            }
        }

        private void ReadUpstream()
        {
            var generation = _generation;
            var read = _upstream!.ReadAsync();
            if (read.IsCompleted)
            {
                OnUpstreamRead((generation, read));
                return;
            }
            read.ContinueWith(
                static (t, state) =>
                {
                    var (callback, gen) = ((Action<(int, Task<Option<ByteString>>)>, int))state!;
                    callback((gen, t));
                },
                (_onRead, generation),
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }

        private void OnUpstreamRead((int Generation, Task<Option<ByteString>> Read) read)
        {
            if (read.Generation != _generation || _upstream is null)
            {
                return;
            }
            var ok = read.Read.IsCompletedSuccessfully && read.Read.Result.HasValue;
            if (!ok)
            {
                // A failed read is a reset; only an orderly close (no value) can end a body framed by the close.
                OnUpstreamClosed(reset: !read.Read.IsCompletedSuccessfully, (read.Read.Exception?.InnerException as UpstreamResetException)?.Reason);
                return;
            }
            TouchStream();
            var bytes = read.Read.Result.Value;
            if (_tunnelling)
            {
                Emit(_stage.Out, bytes, ReadUpstream);
            }
            else if (_response is null)
            {
                if (_info!.FirstUpstreamByteTimestamp == 0)
                {
                    _info.FirstUpstreamByteTimestamp = Stopwatch.GetTimestamp();
                }
                OnResponseHeadBytes(bytes);
            }
            else
            {
                ForwardResponseBody(bytes, ByteString.Empty);
            }
        }

        /// <param name="codecReason">Why the codec ended the try, when it knows (HTTP/2 resets, protocol errors).</param>
        private void OnUpstreamClosed(bool reset, UpstreamResetReason? codecReason = null)
        {
            var upstream = _upstream!;
            if (_tunnelling)
            {
                FinishTunnel();
            }
            else if (_response is null)
            {
                var connectFailed = upstream.Connected.IsFaulted || !upstream.Connected.IsCompleted;
                if (connectFailed)
                {
                    upstream.Host.OnConnectFailure();
                }
                var reason = connectFailed ? UpstreamResetReason.ConnectionFailure : codecReason ?? UpstreamResetReason.ConnectionTermination;
                if (reason == UpstreamResetReason.ProtocolError)
                {
                    UpstreamProtocolError();
                    return;
                }
                upstream.Host.ReportLocalOriginFailure();
                ReleaseUpstream(success: false, reusable: false);
                if (RetryOnReset(reason, requestStarted: !connectFailed))
                {
                    return;
                }
                switch (reason)
                {
                    case UpstreamResetReason.ConnectionFailure:
                        ReplyLocally(503, LocalReply.ConnectFailure, ResponseFlags.UpstreamConnectionFailure, "upstream_reset_before_response_started{connection_failure}");
                        break;
                    case UpstreamResetReason.RemoteReset:
                        ReplyLocally(503, LocalReply.RemoteReset, ResponseFlags.UpstreamRemoteReset, "upstream_reset_before_response_started{remote_reset}");
                        break;
                    case UpstreamResetReason.RemoteRefusedStreamReset:
                        ReplyLocally(503, LocalReply.RemoteRefusedStreamReset, ResponseFlags.UpstreamRemoteReset, "upstream_reset_before_response_started{remote_refused_stream_reset}");
                        break;
                    default:
                        ReplyLocally(503, LocalReply.ConnectionTermination, ResponseFlags.UpstreamConnectionTermination, "upstream_reset_before_response_started{connection_termination}");
                        break;
                }
            }
            else if (_response.Framing == BodyFraming.UntilClose && _responseBody is not null && !reset)
            {
                ReleaseUpstream(success: true, reusable: false);
                EmitFinal(_chunkToDownstream ? Http1Writer.LastChunk : ByteString.Empty);
            }
            else
            {
                // Headers already went downstream: the only honest signal left is to reset the downstream too.
                _info!.Flags |= codecReason switch
                {
                    UpstreamResetReason.ProtocolError => ResponseFlags.UpstreamProtocolError,
                    UpstreamResetReason.RemoteReset or UpstreamResetReason.RemoteRefusedStreamReset => ResponseFlags.UpstreamRemoteReset,
                    _ => ResponseFlags.UpstreamConnectionTermination,
                };
                ReleaseUpstream(success: false, reusable: false);
                FailStage(new IOException("upstream reset after response headers"));
            }
        }

        private void OnResponseHeadBytes(ByteString bytes)
        {
            _responseBuffer = _responseBuffer.IsEmpty ? bytes : _responseBuffer.Concat(bytes);
            while (true)
            {
                var span = _responseBuffer.ToReadOnlySpan();
                var headLength = Http1HeadParser.FindHeadEnd(span, _hcm.Limits, out var error);
                if (error is not null)
                {
                    UpstreamProtocolError();
                    return;
                }
                if (headLength == 0)
                {
                    ReadUpstream();
                    return;
                }
                var response = Http1HeadParser.ParseResponse(span[..headLength], _request!.IsHead, _hcm.Limits, out error);
                if (response is null)
                {
                    UpstreamProtocolError();
                    return;
                }
                var rest = headLength == _responseBuffer.Count ? ByteString.Empty : _responseBuffer.Slice(headLength);
                _responseBuffer = ByteString.Empty;
                if (response.Status == 101)
                {
                    if (_upgradeType is null)
                    {
                        // Switching protocols nobody asked for would desynchronise both connections.
                        UpstreamProtocolError();
                        return;
                    }
                    StartTunnel(response, rest);
                    return;
                }
                if (response.Status is >= 100 and < 200)
                {
                    RelayInterim(response);
                    _responseBuffer = rest;
                    if (rest.IsEmpty)
                    {
                        ReadUpstream();
                        return;
                    }
                    continue;
                }
                if (RetryOnResponse(response))
                {
                    return;
                }
                if (_upgradeType is not null)
                {
                    // A refused upgrade: the client's next bytes belong to a protocol that never started.
                    _abandonRequestBody = true;
                    _closeAfterResponse = true;
                }
                _response = response;
                _responseBody = new BodyDecoder(response.Framing, response.ContentLength, _hcm.Limits);
                ForwardResponseBody(rest, DownstreamHead(response));
                return;
            }
        }

        /// <summary>
        /// 1xx responses go to HTTP/1.1 clients only (RFC 9110 §15.2). A 100 goes only when the proxy relays the
        /// upstream's (<c>proxy_100_continue</c>) to a client that asked for it; otherwise the proxy sent its own.
        /// </summary>
        private void RelayInterim(HttpResponseHead response)
        {
            var request = _request!;
            if (request.Version != HttpVersion.Http11)
            {
                return;
            }
            if (response.Status == 100 && (_continueSent || !_hcm.Forwarding.Proxy100Continue || !ExpectsContinue(request)))
            {
                return;
            }
            var headers = response.Headers;
            headers.RemoveHopByHop();
            Emit(_stage.Out, Http1Writer.ResponseHead(HttpVersion.Http11, response.Status, response.Reason, headers));
        }

        private ByteString DownstreamHead(HttpResponseHead response)
        {
            var request = _request!;
            var headers = response.Headers;
            headers.RemoveHopByHop();
            var unframed = response.Framing is BodyFraming.Chunked or BodyFraming.UntilClose;
            _chunkToDownstream = unframed && request.Version == HttpVersion.Http11;
            if (_chunkToDownstream)
            {
                headers.Add("transfer-encoding", "chunked");
            }
            else if (unframed)
            {
                // An HTTP/1.0 client learns where the body ends only from the connection closing.
                _closeAfterResponse = true;
            }
            AddResponseHeaders(headers);
            if (_closeAfterResponse)
            {
                headers.Add("connection", "close");
            }
            else if (request.Version == HttpVersion.Http10)
            {
                headers.Add("connection", "keep-alive");
            }
            _responseHeadSent = true;
            // What the access log's %RESPONSE_CODE% reports even if the body is cut short by a reset, as Envoy's.
            _status = response.Status;
            EndRetries();
            _info!.ResponseHeaders = headers;
            _info.ResponseCodeDetails = "via_upstream";
            return Http1Writer.ResponseHead(request.Version, response.Status, response.Reason, headers);
        }

        /// <summary>Headers the proxy adds to every upstream response: service time, server, date.</summary>
        private void AddResponseHeaders(HttpHeaders headers)
        {
            var elapsedMs = (long)Stopwatch.GetElapsedTime(_upstreamStart).TotalMilliseconds;
            headers.Set("x-envoy-upstream-service-time", elapsedMs.ToString(CultureInfo.InvariantCulture));
            if (_route is { IncludeAttemptCountInResponse: true })
            {
                headers.Set("x-envoy-attempt-count", _attempts.ToString(CultureInfo.InvariantCulture));
            }
            ApplyResponseMutations(headers, _route, _weightedCluster);
            FilterResponseHeaders(headers);
            switch (_hcm.Forwarding.ServerHeaderTransformation)
            {
                case ServerHeaderTransformation.Overwrite:
                    headers.Set("server", _hcm.ServerName);
                    break;
                case ServerHeaderTransformation.AppendIfAbsent when headers.Get("server") is null:
                    headers.Add("server", _hcm.ServerName);
                    break;
            }
            if (headers.Get("date") is null)
            {
                headers.Add("date", HttpDate.Now);
            }
        }

        private void ForwardResponseBody(ByteString bytes, ByteString prefix)
        {
            var decoder = _responseBody!;
            _slices.Clear();
            var consumed = decoder.Decode(bytes, _slices, out _);
            if (consumed < 0)
            {
                if (prefix.IsEmpty)
                {
                    _info!.Flags |= ResponseFlags.UpstreamProtocolError;
                    ReleaseUpstream(success: false, reusable: false);
                    FailStage(new IOException("invalid upstream response framing"));
                }
                else
                {
                    UpstreamProtocolError();
                }
                return;
            }
            var output = prefix;
            foreach (var slice in _slices)
            {
                if (_request!.IsHead)
                {
                    continue;
                }
                _info!.BytesSent += slice.Count;
                output = output.Concat(_chunkToDownstream ? Http1Writer.Chunk(slice) : slice);
            }
            var complete = decoder.IsComplete;
            if (complete)
            {
                // Bytes past the end of the response mean the upstream is out of step: never reuse it.
                var reusable = consumed == bytes.Count && _response!.KeepAlive && _requestComplete;
                ReleaseUpstream(success: true, reusable: reusable);
                if (_chunkToDownstream)
                {
                    output = output.Concat(Http1Writer.LastChunk);
                }
                EmitFinal(output);
            }
            else if (output.IsEmpty)
            {
                ReadUpstream();
            }
            else
            {
                Emit(_stage.Out, output, ReadUpstream);
            }
        }

        private void UpstreamProtocolError()
        {
            ReleaseUpstream(success: false, reusable: false);
            if (RetryOnReset(UpstreamResetReason.ProtocolError, requestStarted: true))
            {
                return;
            }
            ReplyLocally(502, LocalReply.ProtocolError, ResponseFlags.UpstreamProtocolError, "upstream_reset_before_response_started{protocol_error}");
        }

        private void ReleaseUpstream(bool success, bool reusable)
        {
            var upstream = _upstream;
            if (upstream is null)
            {
                return;
            }
            _upstream = null;
            upstream.Host.Release(upstream, success, reusable, _response?.Status ?? 0);
        }
    }
}
