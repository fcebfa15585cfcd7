using System.Buffers;

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
/// stream, anything else ends the connection with GOAWAY. Frames are handled in <c>.StreamFrames.cs</c> (DATA,
/// HEADERS, CONTINUATION, RST_STREAM) and <c>.ConnectionFrames.cs</c> (SETTINGS, PING, GOAWAY, WINDOW_UPDATE, PRIORITY).
/// </summary>
internal sealed partial class Http2ClientSession
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
