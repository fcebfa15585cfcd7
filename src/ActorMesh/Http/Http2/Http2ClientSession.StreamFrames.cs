using System.Buffers;
using System.Buffers.Binary;

namespace ActorMesh.Http.Http2;

internal sealed partial class Http2ClientSession
{
    private bool OnData(Http2FrameHeader header, ReadOnlySpan<byte> payload, IHttp2StreamHandler handler)
    {
        if (!TryStreamPayload(header, ref payload, "DATA"))
        {
            return false;
        }
        _connectionReceiveWindow -= header.Length;
        if (_connectionReceiveWindow < 0)
        {
            return Fail(Http2ErrorCode.FlowControlError, "DATA beyond the connection window");
        }
        // Padding is never handed on, so it is given back at once.
        var padding = header.Length - payload.Length;
        if (Classify(header.StreamId) is var state && state != StreamState.Open)
        {
            ConsumeData(0, header.Length);
            return FrameOnStreamNotOpen(state, "DATA");
        }
        if (_remoteEnded)
        {
            ConsumeData(0, header.Length);
            return StreamError(handler, Http2ErrorCode.StreamClosed, Http2StreamError.Protocol);
        }
        _streamReceiveWindow -= header.Length;
        if (_streamReceiveWindow < 0)
        {
            ConsumeData(0, header.Length);
            return StreamError(handler, Http2ErrorCode.FlowControlError, Http2StreamError.Protocol);
        }
        ConsumeData(header.StreamId, padding);
        var endStream = header.Has(Http2Flags.EndStream);
        if (!handler.OnData(_streamId, payload, endStream))
        {
            ConsumeData(0, payload.Length);
            return StreamError(handler, Http2ErrorCode.ProtocolError, Http2StreamError.Messaging);
        }
        EndRemote(endStream);
        return Error is null;
    }

    private bool OnHeaders(Http2FrameHeader header, ReadOnlySpan<byte> payload, IHttp2StreamHandler handler)
    {
        if (!TryStreamPayload(header, ref payload, "HEADERS"))
        {
            return false;
        }
        if (header.Has(Http2Flags.Priority))
        {
            if (payload.Length < 5)
            {
                return Fail(Http2ErrorCode.FrameSizeError, "HEADERS too short for its priority");
            }
            payload = payload[5..];
        }
        _headerBlock.ResetWrittenCount();
        _headerBlockStreamId = header.StreamId;
        _headerBlockEndStream = header.Has(Http2Flags.EndStream);
        return AppendHeaderBlock(header, payload, handler);
    }

    private bool OnContinuation(Http2FrameHeader header, ReadOnlySpan<byte> payload, IHttp2StreamHandler handler) =>
        _headerBlockStreamId == 0
            ? Fail(Http2ErrorCode.ProtocolError, "CONTINUATION without a header block")
            : AppendHeaderBlock(header, payload, handler);

    private bool AppendHeaderBlock(Http2FrameHeader header, ReadOnlySpan<byte> fragment, IHttp2StreamHandler handler)
    {
        if (_headerBlock.WrittenCount + fragment.Length > _settings.MaxHeaderListSize * MaxHeaderBlockFactor)
        {
            return Fail(Http2ErrorCode.EnhanceYourCalm, "header block too large");
        }
        _headerBlock.Write(fragment);
        if (!header.Has(Http2Flags.EndHeaders))
        {
            return true;
        }
        var streamId = _headerBlockStreamId;
        _headerBlockStreamId = 0;
        // Always decoded, even for a stream that is gone: the dynamic table must follow the peer's.
        _fields.Clear();
        var status = _decoder.Decode(_headerBlock.WrittenSpan, _fields, _settings.MaxHeaderListSize);
        if (status == HpackDecodeStatus.CompressionError)
        {
            return Fail(Http2ErrorCode.CompressionError, "invalid HPACK block");
        }
        if (Classify(streamId) is var state && state != StreamState.Open)
        {
            return FrameOnStreamNotOpen(state, "HEADERS");
        }
        if (_remoteEnded)
        {
            return StreamError(handler, Http2ErrorCode.StreamClosed, Http2StreamError.Protocol);
        }
        if (status == HpackDecodeStatus.TooLarge)
        {
            return StreamError(handler, Http2ErrorCode.ProtocolError, Http2StreamError.HeaderOverflow);
        }
        if (!handler.OnHeaders(streamId, _fields, _headerBlockEndStream))
        {
            return StreamError(handler, Http2ErrorCode.ProtocolError, Http2StreamError.Messaging);
        }
        EndRemote(_headerBlockEndStream);
        return Error is null;
    }

    private bool OnRstStream(Http2FrameHeader header, ReadOnlySpan<byte> payload, IHttp2StreamHandler handler)
    {
        if (header.StreamId == 0)
        {
            return Fail(Http2ErrorCode.ProtocolError, "RST_STREAM on stream 0");
        }
        if (header.Length != 4)
        {
            return Fail(Http2ErrorCode.FrameSizeError, "RST_STREAM of the wrong length");
        }
        if (Classify(header.StreamId) is var state && state != StreamState.Open)
        {
            // A reset may cross with our END_STREAM or our own reset: harmless.
            return state != StreamState.Idle || Fail(Http2ErrorCode.ProtocolError, "RST_STREAM on an idle stream");
        }
        var code = (Http2ErrorCode)BinaryPrimitives.ReadUInt32BigEndian(payload);
        var streamId = _streamId;
        _streamId = 0;
        handler.OnStreamReset(streamId, code, byRstStream: true);
        return Error is null;
    }

    private StreamState Classify(int streamId)
    {
        if (streamId == _streamId && streamId != 0)
        {
            return StreamState.Open;
        }
        if (streamId == _resetStreamId && streamId != 0)
        {
            return StreamState.Reset;
        }
        // Even ids would be pushed streams, which we never allow.
        return (streamId & 1) == 0 || streamId >= _nextStreamId ? StreamState.Idle : StreamState.Closed;
    }

    /// <summary>
    /// RFC 9113 §5.1: frames a peer had in flight for a stream we reset are dropped; on a stream that ended normally
    /// they are a STREAM_CLOSED error, on one never opened a PROTOCOL_ERROR.
    /// </summary>
    private bool FrameOnStreamNotOpen(StreamState state, string frame) => state switch
    {
        StreamState.Reset => true,
        StreamState.Closed => Fail(Http2ErrorCode.StreamClosed, frame + " on a closed stream"),
        _ => Fail(Http2ErrorCode.ProtocolError, frame + " on an idle stream"),
    };

    private void EndRemote(bool endStream)
    {
        if (endStream)
        {
            _remoteEnded = true;
            CloseStreamIfDone();
        }
    }

    private void CloseStreamIfDone()
    {
        if (_localEnded && _remoteEnded)
        {
            _streamId = 0;
        }
    }

    private bool StreamError(IHttp2StreamHandler handler, Http2ErrorCode code, Http2StreamError error)
    {
        var streamId = _streamId;
        ResetStream(code);
        handler.OnStreamError(streamId, error);
        return Error is null;
    }

    /// <summary>DATA and HEADERS: never on stream 0; padding (RFC 9113 §6.1) stripped, and within the frame.</summary>
    private bool TryStreamPayload(Http2FrameHeader header, ref ReadOnlySpan<byte> payload, string frame)
    {
        if (header.StreamId == 0)
        {
            return Fail(Http2ErrorCode.ProtocolError, frame + " on stream 0");
        }
        if (!header.Has(Http2Flags.Padded))
        {
            return true;
        }
        if (payload.IsEmpty || payload[0] >= payload.Length)
        {
            return Fail(Http2ErrorCode.ProtocolError, frame + " padding exceeds the frame");
        }
        payload = payload[1..(payload.Length - payload[0])];
        return true;
    }
}
