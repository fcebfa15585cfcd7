using System.Buffers;
using System.Buffers.Binary;

namespace ActorMesh.Http.Http2;

/// <summary>Serialises frames into one growing output buffer, which the connection takes whole and sends.</summary>
internal sealed class Http2FrameWriter
{
    private readonly ArrayBufferWriter<byte> _output = new(4096);

    public int Length => _output.WrittenCount;

    /// <summary>Everything written since the last call; the buffer is reused.</summary>
    public byte[] Take()
    {
        var bytes = _output.WrittenSpan.ToArray();
        _output.ResetWrittenCount();
        return bytes;
    }

    public void Preface() => _output.Write(Http2Protocol.ClientPreface);

    public void Settings(IReadOnlyList<(Http2SettingId Id, uint Value)> settings)
    {
        var payload = Header(settings.Count * 6, Http2FrameType.Settings, Http2Flags.None, 0);
        foreach (var (id, value) in settings)
        {
            BinaryPrimitives.WriteUInt16BigEndian(payload, (ushort)id);
            BinaryPrimitives.WriteUInt32BigEndian(payload[2..], value);
            payload = payload[6..];
        }
        _output.Advance(settings.Count * 6);
    }

    public void SettingsAck()
    {
        Header(0, Http2FrameType.Settings, Http2Flags.Ack, 0);
    }

    public void PingAck(ReadOnlySpan<byte> opaque)
    {
        opaque.CopyTo(Header(8, Http2FrameType.Ping, Http2Flags.Ack, 0));
        _output.Advance(8);
    }

    public void WindowUpdate(int streamId, int increment)
    {
        BinaryPrimitives.WriteUInt32BigEndian(Header(4, Http2FrameType.WindowUpdate, Http2Flags.None, streamId), (uint)increment);
        _output.Advance(4);
    }

    public void RstStream(int streamId, Http2ErrorCode code)
    {
        BinaryPrimitives.WriteUInt32BigEndian(Header(4, Http2FrameType.RstStream, Http2Flags.None, streamId), (uint)code);
        _output.Advance(4);
    }

    public void GoAway(int lastStreamId, Http2ErrorCode code)
    {
        var payload = Header(8, Http2FrameType.GoAway, Http2Flags.None, 0);
        BinaryPrimitives.WriteUInt32BigEndian(payload, (uint)lastStreamId);
        BinaryPrimitives.WriteUInt32BigEndian(payload[4..], (uint)code);
        _output.Advance(8);
    }

    /// <summary>A header block as one HEADERS frame and as many CONTINUATION frames as the peer's frame size needs.</summary>
    public void Headers(int streamId, ReadOnlySpan<byte> block, bool endStream, int maxFrameSize)
    {
        var first = true;
        do
        {
            var take = Math.Min(block.Length, maxFrameSize);
            var last = take == block.Length;
            var flags = (last ? Http2Flags.EndHeaders : Http2Flags.None) | (first && endStream ? Http2Flags.EndStream : Http2Flags.None);
            block[..take].CopyTo(Header(take, first ? Http2FrameType.Headers : Http2FrameType.Continuation, flags, streamId));
            _output.Advance(take);
            block = block[take..];
            first = false;
        }
        while (!block.IsEmpty);
    }

    /// <summary>One DATA frame; the caller keeps it within the peer's frame size and flow-control windows.</summary>
    public void Data(int streamId, ReadOnlySpan<byte> data, bool endStream)
    {
        data.CopyTo(Header(data.Length, Http2FrameType.Data, endStream ? Http2Flags.EndStream : Http2Flags.None, streamId));
        _output.Advance(data.Length);
    }

    /// <summary>Writes the nine header octets and returns room for the payload (advanced by the caller).</summary>
    private Span<byte> Header(int length, Http2FrameType type, Http2Flags flags, int streamId)
    {
        var span = _output.GetSpan(Http2Protocol.FrameHeaderLength + length);
        span[0] = (byte)(length >> 16);
        span[1] = (byte)(length >> 8);
        span[2] = (byte)length;
        span[3] = (byte)type;
        span[4] = (byte)flags;
        BinaryPrimitives.WriteUInt32BigEndian(span[5..], (uint)streamId & 0x7fffffff);
        _output.Advance(Http2Protocol.FrameHeaderLength);
        return _output.GetSpan(length)[..length];
    }
}
