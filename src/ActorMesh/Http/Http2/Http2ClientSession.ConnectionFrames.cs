using System.Buffers.Binary;

namespace ActorMesh.Http.Http2;

internal sealed partial class Http2ClientSession
{
    private bool OnPriority(Http2FrameHeader header)
    {
        if (header.StreamId == 0)
        {
            return Fail(Http2ErrorCode.ProtocolError, "PRIORITY on stream 0");
        }
        return header.Length == 5 || Fail(Http2ErrorCode.FrameSizeError, "PRIORITY of the wrong length");
    }

    private bool OnSettings(Http2FrameHeader header, ReadOnlySpan<byte> payload, IHttp2StreamHandler handler)
    {
        if (header.StreamId != 0)
        {
            return Fail(Http2ErrorCode.ProtocolError, "SETTINGS on a stream");
        }
        if (header.Has(Http2Flags.Ack))
        {
            if (header.Length != 0)
            {
                return Fail(Http2ErrorCode.FrameSizeError, "SETTINGS ACK with a payload");
            }
            _decoder.MaxTableSize = _settings.HeaderTableSize;
            return true;
        }
        if (header.Length % 6 != 0)
        {
            return Fail(Http2ErrorCode.FrameSizeError, "SETTINGS of the wrong length");
        }
        _peerSettingsReceived = true;
        var windowOpened = false;
        for (; !payload.IsEmpty; payload = payload[6..])
        {
            var id = (Http2SettingId)BinaryPrimitives.ReadUInt16BigEndian(payload);
            var value = BinaryPrimitives.ReadUInt32BigEndian(payload[2..]);
            switch (id)
            {
                case Http2SettingId.HeaderTableSize:
                    _encoder.OnPeerTableSizeChanged();
                    break;
                case Http2SettingId.EnablePush when value != 0:
                    return Fail(Http2ErrorCode.ProtocolError, "a server may not enable push");
                case Http2SettingId.MaxConcurrentStreams:
                    _peerMaxConcurrentStreams = value;
                    break;
                case Http2SettingId.InitialWindowSize:
                    if (value > Http2Protocol.MaxWindowSize)
                    {
                        return Fail(Http2ErrorCode.FlowControlError, "SETTINGS_INITIAL_WINDOW_SIZE above 2^31 - 1");
                    }
                    var delta = (long)value - _peerInitialWindowSize;
                    _peerInitialWindowSize = (int)value;
                    if (_streamId != 0)
                    {
                        _streamSendWindow += delta;
                        if (_streamSendWindow > Http2Protocol.MaxWindowSize)
                        {
                            return Fail(Http2ErrorCode.FlowControlError, "stream window above 2^31 - 1");
                        }
                    }
                    windowOpened |= delta > 0;
                    break;
                case Http2SettingId.MaxFrameSize:
                    if (value is < Http2Protocol.DefaultMaxFrameSize or > Http2Protocol.MaxFrameSizeLimit)
                    {
                        return Fail(Http2ErrorCode.ProtocolError, "SETTINGS_MAX_FRAME_SIZE out of range");
                    }
                    _peerMaxFrameSize = (int)value;
                    break;
            }
        }
        _writer.SettingsAck();
        if (windowOpened)
        {
            handler.OnSendWindowOpened();
        }
        return Error is null;
    }

    private bool OnPing(Http2FrameHeader header, ReadOnlySpan<byte> payload)
    {
        if (header.StreamId != 0)
        {
            return Fail(Http2ErrorCode.ProtocolError, "PING on a stream");
        }
        if (header.Length != 8)
        {
            return Fail(Http2ErrorCode.FrameSizeError, "PING of the wrong length");
        }
        if (!header.Has(Http2Flags.Ack))
        {
            _writer.PingAck(payload);
        }
        return true;
    }

    private bool OnGoAway(Http2FrameHeader header, ReadOnlySpan<byte> payload, IHttp2StreamHandler handler)
    {
        if (header.StreamId != 0)
        {
            return Fail(Http2ErrorCode.ProtocolError, "GOAWAY on a stream");
        }
        if (header.Length < 8)
        {
            return Fail(Http2ErrorCode.FrameSizeError, "GOAWAY too short");
        }
        var lastStreamId = (int)(BinaryPrimitives.ReadUInt32BigEndian(payload) & 0x7fffffff);
        var code = (Http2ErrorCode)BinaryPrimitives.ReadUInt32BigEndian(payload[4..]);
        GoAwayReceived = true;
        if (_streamId > lastStreamId)
        {
            // The peer never processed it (RFC 9113 §6.8): safe to retry elsewhere.
            var refused = _streamId;
            _streamId = 0;
            _resetStreamId = refused;
            handler.OnStreamReset(refused, Http2ErrorCode.RefusedStream, byRstStream: false);
        }
        handler.OnGoAway(lastStreamId, code);
        return Error is null;
    }

    private bool OnWindowUpdate(Http2FrameHeader header, ReadOnlySpan<byte> payload, IHttp2StreamHandler handler)
    {
        if (header.Length != 4)
        {
            return Fail(Http2ErrorCode.FrameSizeError, "WINDOW_UPDATE of the wrong length");
        }
        var increment = (int)(BinaryPrimitives.ReadUInt32BigEndian(payload) & 0x7fffffff);
        if (header.StreamId == 0)
        {
            if (increment == 0)
            {
                return Fail(Http2ErrorCode.ProtocolError, "WINDOW_UPDATE of 0 on the connection");
            }
            _connectionSendWindow += increment;
            if (_connectionSendWindow > Http2Protocol.MaxWindowSize)
            {
                return Fail(Http2ErrorCode.FlowControlError, "connection window above 2^31 - 1");
            }
        }
        else
        {
            if (Classify(header.StreamId) is var state && state != StreamState.Open)
            {
                // Updates for a stream that just closed are expected; an idle stream's are not.
                return state != StreamState.Idle || Fail(Http2ErrorCode.ProtocolError, "WINDOW_UPDATE on an idle stream");
            }
            if (increment == 0)
            {
                return StreamError(handler, Http2ErrorCode.ProtocolError, Http2StreamError.Protocol);
            }
            _streamSendWindow += increment;
            if (_streamSendWindow > Http2Protocol.MaxWindowSize)
            {
                return StreamError(handler, Http2ErrorCode.FlowControlError, Http2StreamError.Protocol);
            }
        }
        handler.OnSendWindowOpened();
        return Error is null;
    }
}
