namespace ActorMesh.Http.Http2;

/// <summary>RFC 9113 §6 frame types; anything else is an extension frame, which is ignored.</summary>
internal enum Http2FrameType : byte
{
    Data = 0x0,
    Headers = 0x1,
    Priority = 0x2,
    RstStream = 0x3,
    Settings = 0x4,
    PushPromise = 0x5,
    Ping = 0x6,
    GoAway = 0x7,
    WindowUpdate = 0x8,
    Continuation = 0x9,
}

/// <summary>Frame flags; their meaning depends on the frame type (ACK and END_STREAM share a bit).</summary>
[Flags]
internal enum Http2Flags : byte
{
    None = 0,
    EndStream = 0x1,
    Ack = 0x1,
    EndHeaders = 0x4,
    Padded = 0x8,
    Priority = 0x20,
}

/// <summary>RFC 9113 §7 error codes, carried by RST_STREAM and GOAWAY.</summary>
public enum Http2ErrorCode : uint
{
    NoError = 0x0,
    ProtocolError = 0x1,
    InternalError = 0x2,
    FlowControlError = 0x3,
    SettingsTimeout = 0x4,
    StreamClosed = 0x5,
    FrameSizeError = 0x6,
    RefusedStream = 0x7,
    Cancel = 0x8,
    CompressionError = 0x9,
    ConnectError = 0xa,
    EnhanceYourCalm = 0xb,
    InadequateSecurity = 0xc,
    Http11Required = 0xd,
}

/// <summary>RFC 9113 §6.5.2 settings; unknown identifiers are ignored.</summary>
internal enum Http2SettingId : ushort
{
    HeaderTableSize = 0x1,
    EnablePush = 0x2,
    MaxConcurrentStreams = 0x3,
    InitialWindowSize = 0x4,
    MaxFrameSize = 0x5,
    MaxHeaderListSize = 0x6,
}

/// <summary>The nine octets in front of every frame (RFC 9113 §4.1).</summary>
internal readonly record struct Http2FrameHeader(int Length, Http2FrameType Type, Http2Flags Flags, int StreamId)
{
    public bool Has(Http2Flags flag) => (Flags & flag) != 0;
}

/// <summary>The protocol's fixed numbers.</summary>
internal static class Http2Protocol
{
    public const int FrameHeaderLength = 9;

    /// <summary>SETTINGS_MAX_FRAME_SIZE's initial value, which is also what ActorMesh accepts (it never raises it).</summary>
    public const int DefaultMaxFrameSize = 16_384;

    public const int MaxFrameSizeLimit = (1 << 24) - 1;

    /// <summary>Every flow-control window starts here (RFC 9113 §6.9.2), the connection's whatever SETTINGS say.</summary>
    public const int DefaultInitialWindowSize = 65_535;

    public const int MaxWindowSize = int.MaxValue;

    /// <summary>SETTINGS_HEADER_TABLE_SIZE's initial value (RFC 7541 §4.2).</summary>
    public const int DefaultHeaderTableSize = 4_096;

    /// <summary>Client stream ids are odd and end at 2^31 - 1.</summary>
    public const int MaxStreamId = int.MaxValue;

    /// <summary>The client connection preface (RFC 9113 §3.4), sent before the first SETTINGS.</summary>
    public static ReadOnlySpan<byte> ClientPreface => "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8;
}
