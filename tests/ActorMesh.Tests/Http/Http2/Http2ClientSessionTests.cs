using System.Buffers.Binary;
using ActorMesh.Http;
using ActorMesh.Http.Http2;
using ActorMesh.Tests.Support;
using Xunit;

namespace ActorMesh.Tests.Http.Http2;

/// <summary>The client session's framing rules, fed byte by byte as a server would send them (no sockets needed).</summary>
public sealed class Http2ClientSessionTests
{
    private static readonly Http2SessionSettings Settings = new(100, 65535, 65535 * 4, 4096, 60 * 1024);
    private static readonly HttpHeader[] Request = [new(":method", "GET"), new(":scheme", "http"), new(":authority", "a"), new(":path", "/")];

    [Fact]
    public void The_preface_carries_our_settings_and_extends_the_connection_window()
    {
        var session = new Http2ClientSession(Settings);

        session.Start();
        var output = session.TakeOutput();

        Assert.Equal("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray(), output[..24]);
        var frames = Frames(output[24..]);
        Assert.Equal(RawFrame.Settings, frames[0].Type);
        var settings = Enumerable.Range(0, frames[0].Payload.Length / 6)
            .ToDictionary(i => BinaryPrimitives.ReadUInt16BigEndian(frames[0].Payload.AsSpan(i * 6)), i => BinaryPrimitives.ReadUInt32BigEndian(frames[0].Payload.AsSpan(i * 6 + 2)));
        Assert.Equal(0u, settings[0x2]);
        Assert.Equal(100u, settings[0x3]);
        Assert.Equal(60u * 1024, settings[0x6]);
        Assert.False(settings.ContainsKey(0x4));
        Assert.Equal((RawFrame.WindowUpdate, 0, 65535u * 3), (frames[1].Type, frames[1].StreamId, BinaryPrimitives.ReadUInt32BigEndian(frames[1].Payload)));
    }

    [Fact]
    public void Settings_and_pings_are_acknowledged()
    {
        var session = new Http2ClientSession(Settings);
        session.Start();
        session.TakeOutput();

        Feed(session, new Recorder(), Http2Wire.Settings((0x4, 100_000)), Http2Wire.Ping(42));
        var frames = Frames(session.TakeOutput());

        Assert.Equal([(RawFrame.Settings, true), (RawFrame.Ping, true)], frames.Select(f => (f.Type, f.Ack)));
        Assert.Equal(Http2Wire.Ping(42)[9..], frames[1].Payload);
    }

    [Fact]
    public void The_server_preface_must_be_settings()
    {
        var session = new Http2ClientSession(Settings);
        session.Start();
        session.TakeOutput();

        Assert.False(Feed(session, new Recorder(), Http2Wire.Ping(1)));

        Assert.Equal(Http2ErrorCode.ProtocolError, session.Error!.Code);
        var goAway = Assert.Single(Frames(session.TakeOutput()));
        Assert.Equal((RawFrame.GoAway, 0x1u), (goAway.Type, goAway.ErrorCode));
    }

    [Fact]
    public void Data_is_sent_within_the_peers_windows_in_frames_no_larger_than_its_frame_size()
    {
        var (session, handler) = Started();
        var stream = session.OpenStream(Request, endStream: false);
        session.TakeOutput();

        var sent = session.SendData(new byte[100_000], endStream: true);
        var frames = Frames(session.TakeOutput());

        Assert.Equal(65535, sent);
        Assert.All(frames, f => Assert.True(f.Payload.Length <= 16384));
        Assert.Equal(65535, frames.Sum(f => f.Payload.Length));
        Assert.DoesNotContain(frames, f => f.EndStream);
        Assert.Equal(0, session.SendWindow);

        Feed(session, handler, WindowUpdate(0, 40_000), WindowUpdate(stream, 100_000));
        Assert.Equal(2, handler.WindowsOpened);
        Assert.Equal(40_000, session.SendWindow);
        Assert.Equal(34_465, session.SendData(new byte[34_465], endStream: true));
        Assert.True(Frames(session.TakeOutput()).Last().EndStream);
    }

    [Fact]
    public void Received_data_is_given_back_with_window_updates_once_half_a_window_is_consumed()
    {
        var (session, handler) = Started();
        var stream = session.OpenStream(Request, endStream: true);
        var data = Enumerable.Range(0, 3).Select(_ => Http2Wire.Frame(RawFrame.Data, 0, stream, new byte[12_000])).ToArray();
        Feed(session, handler, [Http2Wire.Headers(stream, false, (":status", "200")), .. data]);
        session.TakeOutput();

        session.ConsumeData(stream, 12_000);
        Assert.Empty(Frames(session.TakeOutput()));
        session.ConsumeData(stream, 24_000);
        var updates = Frames(session.TakeOutput());

        // Half the stream's window (32767 of 65535) is consumed; not yet half the connection's (262140).
        var update = Assert.Single(updates);
        Assert.Equal((RawFrame.WindowUpdate, stream, 36_000u), (update.Type, update.StreamId, BinaryPrimitives.ReadUInt32BigEndian(update.Payload)));
        Assert.Equal(36_000, handler.DataBytes);
    }

    [Fact]
    public void Data_beyond_the_connection_window_is_a_flow_control_error()
    {
        var session = new Http2ClientSession(Settings with { InitialConnectionWindowSize = 65535 });
        var handler = new Recorder();
        session.Start();
        Feed(session, handler, Http2Wire.Settings());
        var stream = session.OpenStream(Request, endStream: true);
        session.TakeOutput();
        var headers = Http2Wire.Headers(stream, false, (":status", "200"));
        var chunks = Enumerable.Range(0, 4).Select(_ => Http2Wire.Frame(RawFrame.Data, 0, stream, new byte[16_384])).ToArray();

        Feed(session, handler, [headers, .. chunks]);

        Assert.Equal(Http2ErrorCode.FlowControlError, session.Error!.Code);
    }

    [Fact]
    public void Padding_is_stripped_and_given_back_at_once()
    {
        var (session, handler) = Started();
        var stream = session.OpenStream(Request, endStream: true);
        session.TakeOutput();
        byte[] padded = [40, .. "hello"u8.ToArray(), .. new byte[40]];

        Feed(session, handler, Http2Wire.Headers(stream, false, (":status", "200")), Http2Wire.Frame(RawFrame.Data, 0x8 | 0x1, stream, padded));

        Assert.Equal("hello", handler.Text);
        Assert.True(handler.Ended);
        Assert.Equal(0, session.StreamId);
    }

    [Fact]
    public void A_goaway_below_the_open_stream_refuses_it_and_no_stream_opens_after()
    {
        var (session, handler) = Started();
        var stream = session.OpenStream(Request, endStream: true);

        Feed(session, handler, Http2Wire.GoAway(0, 0));

        Assert.Equal((stream, Http2ErrorCode.RefusedStream, false), handler.Reset);
        Assert.True(session.GoAwayReceived);
        Assert.False(session.CanOpenStream);
    }

    [Fact]
    public void A_header_block_split_over_continuation_frames_is_decoded_whole()
    {
        var (session, handler) = Started();
        var stream = session.OpenStream(Request, endStream: true);
        var block = Http2Wire.Block((":status", "200"), ("x-long", new string('l', 40_000)));

        Feed(session, handler,
            Http2Wire.Frame(RawFrame.Headers, 0x1, stream, block.AsSpan(0, 16_000)),
            Http2Wire.Frame(0x9, 0, stream, block.AsSpan(16_000, 16_000)),
            Http2Wire.Frame(0x9, 0x4, stream, block.AsSpan(32_000)));

        Assert.Equal(new string('l', 40_000), handler.Headers!.Single(h => h.Name == "x-long").Value);
        Assert.True(handler.Ended);
    }

    [Theory]
    [InlineData("interrupted header block")]
    [InlineData("data on an idle stream")]
    [InlineData("oversized frame")]
    [InlineData("push promise")]
    [InlineData("window update of zero")]
    public void Framing_violations_end_the_connection(string violation)
    {
        var (session, handler) = Started();
        var stream = session.OpenStream(Request, endStream: true);
        byte[][] frames = violation switch
        {
            "interrupted header block" => [Http2Wire.Frame(RawFrame.Headers, 0, stream, Http2Wire.Block((":status", "200"))), Http2Wire.Ping(1)],
            "data on an idle stream" => [Http2Wire.Data(stream + 2, "x", false)],
            "oversized frame" => [Http2Wire.Frame(RawFrame.Data, 0, stream, new byte[16_385])],
            "push promise" => [Http2Wire.Frame(0x5, 0x4, stream, [0, 0, 0, 2, 0x88])],
            _ => [WindowUpdate(0, 0)],
        };

        Assert.False(Feed(session, handler, frames));
        Assert.NotNull(session.Error);
        Assert.Contains(Frames(session.TakeOutput()), f => f.Type == RawFrame.GoAway);
    }

    [Fact]
    public void A_message_the_handler_refuses_resets_the_stream_but_keeps_the_connection()
    {
        var (session, handler) = Started();
        var stream = session.OpenStream(Request, endStream: true);
        session.TakeOutput();
        handler.Refuse = true;

        Assert.True(Feed(session, handler, Http2Wire.Headers(stream, true, (":status", "200"))));
        var reset = Assert.Single(Frames(session.TakeOutput()));

        Assert.Equal((RawFrame.RstStream, stream, 0x1u), (reset.Type, reset.StreamId, reset.ErrorCode));
        Assert.Equal(Http2StreamError.Messaging, handler.Error);
        Assert.Null(session.Error);
        // Frames the server still had in flight for the reset stream are dropped.
        Assert.True(Feed(session, handler, Http2Wire.Data(stream, "late", true)));
        Assert.True(session.CanOpenStream);
    }

    private static (Http2ClientSession Session, Recorder Handler) Started()
    {
        var session = new Http2ClientSession(Settings);
        var handler = new Recorder();
        session.Start();
        Feed(session, handler, Http2Wire.Settings());
        session.TakeOutput();
        return (session, handler);
    }

    private static bool Feed(Http2ClientSession session, IHttp2StreamHandler handler, params byte[][] frames)
    {
        var bytes = frames.SelectMany(f => f).ToArray();
        for (var at = 0; at < bytes.Length;)
        {
            var memory = session.Reader.ReceiveMemory();
            var take = Math.Min(memory.Length, bytes.Length - at);
            bytes.AsSpan(at, take).CopyTo(memory.Span);
            session.Reader.Advance(take);
            at += take;
            if (!session.Receive(handler))
            {
                return false;
            }
        }
        return true;
    }

    private static byte[] WindowUpdate(int streamId, uint increment)
    {
        var payload = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(payload, increment);
        return Http2Wire.Frame(RawFrame.WindowUpdate, 0, streamId, payload);
    }

    private static List<RawFrame> Frames(byte[] bytes)
    {
        var frames = new List<RawFrame>();
        for (var at = 0; at < bytes.Length;)
        {
            var length = (bytes[at] << 16) | (bytes[at + 1] << 8) | bytes[at + 2];
            frames.Add(new RawFrame(bytes[at + 3], bytes[at + 4], BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(at + 5)) & 0x7fffffff, bytes[(at + 9)..(at + 9 + length)]));
            at += 9 + length;
        }
        return frames;
    }

    private sealed class Recorder : IHttp2StreamHandler
    {
        private readonly List<byte> _data = new();

        public bool Refuse { get; set; }
        public List<HttpHeader>? Headers { get; private set; }
        public bool Ended { get; private set; }
        public int DataBytes => _data.Count;
        public string Text => System.Text.Encoding.ASCII.GetString(_data.ToArray());
        public (int, Http2ErrorCode, bool)? Reset { get; private set; }
        public Http2StreamError? Error { get; private set; }
        public int WindowsOpened { get; private set; }

        public bool OnHeaders(int streamId, List<HttpHeader> fields, bool endStream)
        {
            Headers = fields.ToList();
            Ended |= endStream;
            return !Refuse;
        }

        public bool OnData(int streamId, ReadOnlySpan<byte> data, bool endStream)
        {
            _data.AddRange(data.ToArray());
            Ended |= endStream;
            return !Refuse;
        }

        public void OnStreamReset(int streamId, Http2ErrorCode code, bool byRstStream) => Reset = (streamId, code, byRstStream);

        public void OnStreamError(int streamId, Http2StreamError error) => Error = error;

        public void OnGoAway(int lastStreamId, Http2ErrorCode code)
        {
        }

        public void OnSendWindowOpened() => WindowsOpened++;
    }
}
