namespace ActorMesh.Http.Http2;

/// <summary>Why the session reset a stream itself (RST_STREAM sent), for the codec's stats and its answer.</summary>
internal enum Http2StreamError
{
    /// <summary>A frame broke the stream's rules (RFC 9113 §5.1, §6.9): Envoy counts it as <c>tx_reset</c>.</summary>
    Protocol,
    /// <summary>The handler found the message malformed (RFC 9113 §8.1.1): Envoy's <c>rx_messaging_error</c>.</summary>
    Messaging,
    /// <summary>The response's header list is larger than the limit: Envoy's <c>header_overflow</c>.</summary>
    HeaderOverflow,
}

/// <summary>What the session reports about the open stream and the connection while it reads frames.</summary>
internal interface IHttp2StreamHandler
{
    /// <summary>
    /// A complete header block (HEADERS and its CONTINUATIONs) for the open stream; false when it makes the message
    /// malformed, which resets the stream.
    /// </summary>
    bool OnHeaders(int streamId, List<HttpHeader> fields, bool endStream);

    /// <summary>
    /// DATA for the open stream, padding removed; false when it makes the message malformed, which resets the
    /// stream. Accepted bytes count against the receive windows until the codec hands them on and calls
    /// <see cref="Http2ClientSession.ConsumeData"/>.
    /// </summary>
    bool OnData(int streamId, ReadOnlySpan<byte> data, bool endStream);

    /// <summary>The peer ended the stream: RST_STREAM, or a GOAWAY whose last stream id is below it (REFUSED_STREAM).</summary>
    void OnStreamReset(int streamId, Http2ErrorCode code, bool byRstStream);

    /// <summary>The session reset the open stream (RST_STREAM sent) because of what the peer sent on it.</summary>
    void OnStreamError(int streamId, Http2StreamError error);

    /// <summary>The peer will take no new streams; streams up to <paramref name="lastStreamId"/> may still finish.</summary>
    void OnGoAway(int lastStreamId, Http2ErrorCode code);

    /// <summary>A WINDOW_UPDATE or SETTINGS frame made room to send DATA.</summary>
    void OnSendWindowOpened();
}
