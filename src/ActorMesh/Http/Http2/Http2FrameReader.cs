using System.Buffers.Binary;

namespace ActorMesh.Http.Http2;

internal enum FrameReadStatus
{
    Frame,
    NeedMore,
    /// <summary>The frame is longer than SETTINGS_MAX_FRAME_SIZE: a connection error (FRAME_SIZE_ERROR).</summary>
    TooLarge,
}

/// <summary>
/// Cuts received bytes into frames. The socket reads straight into its buffer, which holds one receive and at most one
/// partial frame, so memory per connection stays bounded whatever the peer sends. A payload handed out is valid until
/// the next receive.
/// </summary>
internal sealed class Http2FrameReader
{
    /// <summary>One receive takes at most this much, like the HTTP/1.1 upstream connection's reads.</summary>
    public const int ReceiveSize = 64 * 1024;

    private readonly byte[] _buffer = new byte[ReceiveSize + Http2Protocol.FrameHeaderLength + Http2Protocol.DefaultMaxFrameSize];
    private int _start;
    private int _end;

    /// <summary>Where the next receive goes; anything not yet framed is moved to the front first.</summary>
    public Memory<byte> ReceiveMemory()
    {
        if (_start > 0)
        {
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            _end -= _start;
            _start = 0;
        }
        return _buffer.AsMemory(_end, Math.Min(ReceiveSize, _buffer.Length - _end));
    }

    public void Advance(int received) => _end += received;

    public FrameReadStatus TryRead(out Http2FrameHeader header, out ReadOnlyMemory<byte> payload)
    {
        header = default;
        payload = ReadOnlyMemory<byte>.Empty;
        var available = _end - _start;
        if (available < Http2Protocol.FrameHeaderLength)
        {
            return FrameReadStatus.NeedMore;
        }
        var span = _buffer.AsSpan(_start, Http2Protocol.FrameHeaderLength);
        var length = (span[0] << 16) | (span[1] << 8) | span[2];
        if (length > Http2Protocol.DefaultMaxFrameSize)
        {
            return FrameReadStatus.TooLarge;
        }
        if (available < Http2Protocol.FrameHeaderLength + length)
        {
            return FrameReadStatus.NeedMore;
        }
        // The reserved bit is ignored on receipt (RFC 9113 §4.1).
        var streamId = (int)(BinaryPrimitives.ReadUInt32BigEndian(span[5..]) & 0x7fffffff);
        header = new Http2FrameHeader(length, (Http2FrameType)span[3], (Http2Flags)span[4], streamId);
        payload = _buffer.AsMemory(_start + Http2Protocol.FrameHeaderLength, length);
        _start += Http2Protocol.FrameHeaderLength + length;
        return FrameReadStatus.Frame;
    }
}
