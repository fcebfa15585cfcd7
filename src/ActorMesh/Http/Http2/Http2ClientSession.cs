using System.Buffers;
using System.Buffers.Binary;

namespace ActorMesh.Http.Http2;

/// <summary>Our side of the connection's settings (Envoy's <c>http2_protocol_options</c>) and the response limit.</summary>
internal sealed record Http2SessionSettings(
    uint MaxConcurrentStreams,
    int InitialStreamWindowSize,
    int InitialConnectionWindowSize,
    int HeaderTableSize,
    int MaxHeaderListSize);

/// <summary>A connection error: GOAWAY with <paramref name="Code"/> has been written and the connection is done.</summary>
internal sealed record Http2ConnectionError(Http2ErrorCode Code, string Message);

/// <summary>
/// The client side of one HTTP/2 connection as a single-threaded state machine without I/O (RFC 9113): frames in
/// through <see cref="Reader"/> and <see cref="Receive"/>, frames out through <see cref="TakeOutput"/>. It owns the
/// settings exchange, both flow-control directions, HPACK, PING and GOAWAY, and one stream at a time, which is all
/// the upstream pool asks of it. Every rule of the framing layer is enforced: what breaks a stream's rules resets the
/// stream, anything else ends the connection with GOAWAY.
/// </summary>
internal sealed class Http2ClientSession
{
    // A header block is decoded only once complete; its encoded size is bounded well above any list we accept.
    private const int MaxHeaderBlockFactor = 4;

    private enum StreamState
    {
        Open,
        Reset,
        Closed,
        Idle,
    }

    private readonly Http2SessionSettings _settings;
    private readonly Http2FrameWriter _writer = new();
    private readonly HpackEncoder _encoder = new();
    private readonly HpackDecoder _decoder;
    private readonly ArrayBufferWriter<byte> _encodeBuffer = new(1024);
    private readonly ArrayBufferWriter<byte> _headerBlock = new(1024);
    private readonly List<HttpHeader> _fields = new(32);

    private int _peerMaxFrameSize = Http2Protocol.DefaultMaxFrameSize;
    private int _peerInitialWindowSize = Http2Protocol.DefaultInitialWindowSize;
    private uint _peerMaxConcurrentStreams = uint.MaxValue;
    private bool _peerSettingsReceived;
    private long _connectionSendWindow = Http2Protocol.DefaultInitialWindowSize;
    private long _connectionReceiveWindow;
    private int _connectionUnacknowledged;

    private long _nextStreamId = 1;
    private int _streamId;
    private long _streamSendWindow;
    private long _streamReceiveWindow;
    private int _streamUnacknowledged;
    private bool _localEnded;
    private bool _remoteEnded;

    // The last stream we reset: frames the peer had in flight for it are dropped, not a protocol error.
    private int _resetStreamId;
    private int _headerBlockStreamId;
    private bool _headerBlockEndStream;

    public Http2ClientSession(Http2SessionSettings settings)
    {
        _settings = settings;
        // Until our SETTINGS are acknowledged the peer may still use the default table size.
        _decoder = new HpackDecoder(Math.Max(settings.HeaderTableSize, Http2Protocol.DefaultHeaderTableSize));
        _connectionReceiveWindow = Http2Protocol.DefaultInitialWindowSize;
    }

    public Http2FrameReader Reader { get; } = new();

    /// <summary>Octets written and not yet taken.</summary>
    public int OutputLength => _writer.Length;

    public bool GoAwayReceived { get; private set; }

    public Http2ConnectionError? Error { get; private set; }

    /// <summary>The open stream, 0 when there is none.</summary>
    public int StreamId => _streamId;

    public bool LocalEnded => _localEnded;

    /// <summary>Whether a new stream may be opened now: one at a time, and never after GOAWAY or an error.</summary>
    public bool CanOpenStream =>
        Error is null && !GoAwayReceived && _streamId == 0 && _nextStreamId <= Http2Protocol.MaxStreamId && _peerMaxConcurrentStreams > 0;

    /// <summary>DATA octets the windows let through now.</summary>
    public int SendWindow => _streamId == 0 || _localEnded ? 0 : (int)Math.Clamp(Math.Min(_connectionSendWindow, _streamSendWindow), 0, int.MaxValue);

    public byte[] TakeOutput() => _writer.Take();

    /// <summary>The connection preface: the magic, our SETTINGS and the connection window's extension.</summary>
    public void Start()
    {
        _writer.Preface();
        var settings = new List<(Http2SettingId, uint)>
        {
            (Http2SettingId.EnablePush, 0),
            (Http2SettingId.MaxConcurrentStreams, _settings.MaxConcurrentStreams),
        };
        if (_settings.HeaderTableSize != Http2Protocol.DefaultHeaderTableSize)
        {
            settings.Add((Http2SettingId.HeaderTableSize, (uint)_settings.HeaderTableSize));
        }
        if (_settings.InitialStreamWindowSize != Http2Protocol.DefaultInitialWindowSize)
        {
            settings.Add((Http2SettingId.InitialWindowSize, (uint)_settings.InitialStreamWindowSize));
        }
        settings.Add((Http2SettingId.MaxHeaderListSize, (uint)_settings.MaxHeaderListSize));
        _writer.Settings(settings);
        var extension = _settings.InitialConnectionWindowSize - Http2Protocol.DefaultInitialWindowSize;
        if (extension > 0)
        {
            _writer.WindowUpdate(0, extension);
            _connectionReceiveWindow += extension;
        }
    }

    /// <summary>Opens the next stream with a HEADERS frame (and CONTINUATIONs); its id.</summary>
    public int OpenStream(IReadOnlyList<HttpHeader> fields, bool endStream)
    {
        if (!CanOpenStream)
        {
            throw new InvalidOperationException("no stream can be opened on this connection");
        }
        // Past 2^31 - 1 the connection has no ids left (RFC 9113 §5.1.1).
        _streamId = (int)_nextStreamId;
        _nextStreamId += 2;
        _streamSendWindow = _peerInitialWindowSize;
        _streamReceiveWindow = _settings.InitialStreamWindowSize;
        _streamUnacknowledged = 0;
        _localEnded = endStream;
        _remoteEnded = false;
        _encodeBuffer.ResetWrittenCount();
        _encoder.Encode(fields, _encodeBuffer);
        _writer.Headers(_streamId, _encodeBuffer.WrittenSpan, endStream, _peerMaxFrameSize);
        return _streamId;
    }

    /// <summary>
    /// Sends what the windows allow of <paramref name="data"/> as DATA frames no larger than the peer's frame size;
    /// END_STREAM goes on the last one only if all of it was sent. Returns how much was sent.
    /// </summary>
    public int SendData(ReadOnlySpan<byte> data, bool endStream)
    {
        if (_streamId == 0 || _localEnded)
        {
            return 0;
        }
        var sent = 0;
        while (true)
        {
            var take = Math.Min(Math.Min(data.Length - sent, SendWindow), _peerMaxFrameSize);
            var last = sent + take == data.Length;
            if (take == 0 && !(last && endStream))
            {
                return sent;
            }
            _writer.Data(_streamId, data.Slice(sent, take), last && endStream);
            _connectionSendWindow -= take;
            _streamSendWindow -= take;
            sent += take;
            if (last)
            {
                if (endStream)
                {
                    _localEnded = true;
                    CloseStreamIfDone();
                }
                return sent;
            }
        }
    }

    /// <summary>
    /// The codec passed <paramref name="bytes"/> of DATA on: they are given back to the peer with WINDOW_UPDATE once
    /// half a window has been consumed, so a body of any size flows at the pace it is read.
    /// </summary>
    public void ConsumeData(int streamId, int bytes)
    {
        if (bytes <= 0 || Error is not null)
        {
            return;
        }
        _connectionUnacknowledged += bytes;
        if (_connectionUnacknowledged >= _settings.InitialConnectionWindowSize / 2)
        {
            _writer.WindowUpdate(0, _connectionUnacknowledged);
            _connectionReceiveWindow += _connectionUnacknowledged;
            _connectionUnacknowledged = 0;
        }
        if (streamId == 0 || streamId != _streamId || _remoteEnded)
        {
            return;
        }
        _streamUnacknowledged += bytes;
        if (_streamUnacknowledged >= _settings.InitialStreamWindowSize / 2)
        {
            _writer.WindowUpdate(_streamId, _streamUnacknowledged);
            _streamReceiveWindow += _streamUnacknowledged;
            _streamUnacknowledged = 0;
        }
    }

    /// <summary>Abandons the open stream with RST_STREAM.</summary>
    public void ResetStream(Http2ErrorCode code)
    {
        if (_streamId == 0)
        {
            return;
        }
        _writer.RstStream(_streamId, code);
        _resetStreamId = _streamId;
        _streamId = 0;
    }

    /// <summary>Processes every complete frame received; false after a connection error (GOAWAY written).</summary>
    public bool Receive(IHttp2StreamHandler handler)
    {
        while (Error is null)
        {
            switch (Reader.TryRead(out var header, out var payload))
            {
                case FrameReadStatus.NeedMore:
                    return true;
                case FrameReadStatus.TooLarge:
                    return Fail(Http2ErrorCode.FrameSizeError, "frame larger than SETTINGS_MAX_FRAME_SIZE");
            }
            if (!OnFrame(header, payload.Span, handler))
            {
                return false;
            }
        }
        return false;
    }

    private bool OnFrame(Http2FrameHeader header, ReadOnlySpan<byte> payload, IHttp2StreamHandler handler)
    {
        if (_headerBlockStreamId != 0 && (header.Type != Http2FrameType.Continuation || header.StreamId != _headerBlockStreamId))
        {
            return Fail(Http2ErrorCode.ProtocolError, "header block interrupted before END_HEADERS");
        }
        if (!_peerSettingsReceived && (header.Type != Http2FrameType.Settings || header.Has(Http2Flags.Ack)))
        {
            return Fail(Http2ErrorCode.ProtocolError, "the server preface must start with SETTINGS");
        }
        return header.Type switch
        {
            Http2FrameType.Data => OnData(header, payload, handler),
            Http2FrameType.Headers => OnHeaders(header, payload, handler),
            Http2FrameType.Priority => OnPriority(header),
            Http2FrameType.RstStream => OnRstStream(header, payload, handler),
            Http2FrameType.Settings => OnSettings(header, payload, handler),
            Http2FrameType.PushPromise => Fail(Http2ErrorCode.ProtocolError, "PUSH_PROMISE with push disabled"),
            Http2FrameType.Ping => OnPing(header, payload),
            Http2FrameType.GoAway => OnGoAway(header, payload, handler),
            Http2FrameType.WindowUpdate => OnWindowUpdate(header, payload, handler),
            Http2FrameType.Continuation => OnContinuation(header, payload, handler),
            // Unknown frame types are extensions, ignored (RFC 9113 §4.1).
            _ => true,
        };
    }

    private bool OnData(Http2FrameHeader header, ReadOnlySpan<byte> payload, IHttp2StreamHandler handler)
    {
        if (header.StreamId == 0)
        {
            return Fail(Http2ErrorCode.ProtocolError, "DATA on stream 0");
        }
        if (!TryUnpad(header, ref payload))
        {
            return Fail(Http2ErrorCode.ProtocolError, "DATA padding exceeds the frame");
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
        if (header.StreamId == 0)
        {
            return Fail(Http2ErrorCode.ProtocolError, "HEADERS on stream 0");
        }
        if (!TryUnpad(header, ref payload))
        {
            return Fail(Http2ErrorCode.ProtocolError, "HEADERS padding exceeds the frame");
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

    private bool OnPriority(Http2FrameHeader header)
    {
        if (header.StreamId == 0)
        {
            return Fail(Http2ErrorCode.ProtocolError, "PRIORITY on stream 0");
        }
        return header.Length == 5 || Fail(Http2ErrorCode.FrameSizeError, "PRIORITY of the wrong length");
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

    private static bool TryUnpad(Http2FrameHeader header, ref ReadOnlySpan<byte> payload)
    {
        if (!header.Has(Http2Flags.Padded))
        {
            return true;
        }
        if (payload.IsEmpty || payload[0] >= payload.Length)
        {
            return false;
        }
        payload = payload[1..(payload.Length - payload[0])];
        return true;
    }

    private bool Fail(Http2ErrorCode code, string message)
    {
        if (Error is null)
        {
            Error = new Http2ConnectionError(code, message);
            // Our client never accepts a pushed stream, so the last peer-initiated stream processed is 0.
            _writer.GoAway(0, code);
        }
        return false;
    }
}
