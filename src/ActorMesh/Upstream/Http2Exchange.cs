using ActorMesh.Http;
using ActorMesh.Http.Http2;
using Akka.IO;
using Akka.Util;

namespace ActorMesh.Upstream;

/// <summary>
/// One request and its response on a pooled HTTP/2 connection, as the lessee sees it: HTTP/1.1 octets both ways.
/// The request octets are parsed back into a head and body slices (the lessee wrote them with Http1Writer, so the
/// parse is strict but never fails on its own output); body slices wait here for the stream's send window. Response
/// octets wait here for the lessee's next read. Owned by <see cref="Http2UpstreamCodec"/>'s serial executor.
/// </summary>
internal sealed class Http2Exchange
{
    // The lessee's own head, whatever headers the router added: bounded far above what a client may send.
    private static readonly Http1Limits OwnHeadLimits = new(1024 * 1024, 10_000, 4096);

    private readonly List<ByteString> _slices = new();
    private ByteString _head = ByteString.Empty;
    private BodyDecoder? _body;
    private int _pendingOffset;

    public HttpRequestHead? Request { get; private set; }

    public Http2ResponseConverter? Response { get; private set; }

    public int StreamId { get; private set; }

    /// <summary>Request body slices not yet sent as DATA, the first one <see cref="PendingOffset"/> octets in.</summary>
    public Queue<ByteString> PendingBody { get; } = new();

    public int PendingOffset => _pendingOffset;

    public long PendingBytes { get; private set; }

    /// <summary>The lessee wrote the whole request; END_STREAM is due once the pending body is out.</summary>
    public bool RequestParsed { get; private set; }

    public bool EndStreamSent { get; set; }

    /// <summary>Completes the lessee's write once its octets are on the socket.</summary>
    public TaskCompletionSource? WriteDone { get; set; }

    public Queue<ByteString> Output { get; } = new();

    /// <summary>Response octets waiting for the lessee.</summary>
    public int Buffered { get; private set; }

    /// <summary>DATA octets handed on but not yet given back to the peer's windows.</summary>
    public int Credit { get; private set; }

    public TaskCompletionSource<Option<ByteString>>? ReadWaiter { get; set; }

    public UpstreamResetException? Failure { get; set; }

    public bool ResponseComplete => Response?.IsComplete ?? false;

    /// <summary>Nothing more will happen on this exchange: the next write starts a new one.</summary>
    public bool Finished => Failure is not null || (ResponseComplete && EndStreamSent);

    public bool StreamCounted { get; set; }

    /// <summary>Both ends of the stream closed cleanly and the connection's reuse was decided.</summary>
    public bool Completed { get; set; }

    /// <summary>Takes the lessee's request octets; false when they are not one valid HTTP/1.1 request.</summary>
    public bool Feed(ByteString bytes)
    {
        if (Request is null)
        {
            _head = _head.IsEmpty ? bytes : _head.Concat(bytes);
            var span = _head.ToReadOnlySpan();
            var headLength = Http1HeadParser.FindHeadEnd(span, OwnHeadLimits, out var error);
            if (error is not null)
            {
                return false;
            }
            if (headLength == 0)
            {
                return true;
            }
            Request = Http1HeadParser.ParseRequest(span[..headLength], OwnHeadLimits, out _);
            if (Request is null)
            {
                return false;
            }
            _body = new BodyDecoder(Request.Framing, Request.ContentLength, OwnHeadLimits);
            bytes = headLength == _head.Count ? ByteString.Empty : _head.Slice(headLength);
            _head = ByteString.Empty;
            RequestParsed = _body.IsComplete;
        }
        if (bytes.IsEmpty)
        {
            return true;
        }
        if (RequestParsed)
        {
            return false;
        }
        _slices.Clear();
        var consumed = _body!.Decode(bytes, _slices, out _);
        if (consumed != bytes.Count)
        {
            return false;
        }
        foreach (var slice in _slices)
        {
            PendingBody.Enqueue(slice);
            PendingBytes += slice.Count;
        }
        RequestParsed = _body.IsComplete;
        return true;
    }

    public void Opened(int streamId)
    {
        StreamId = streamId;
        Response = new Http2ResponseConverter(Request!.IsHead);
    }

    /// <summary>The first pending slice's octets not yet sent.</summary>
    public ReadOnlySpan<byte> NextPending() => PendingBody.Peek().ToReadOnlySpan()[_pendingOffset..];

    /// <summary><paramref name="sent"/> octets of the first pending slice went out; true when the slice is done.</summary>
    public bool Sent(int sent)
    {
        PendingBytes -= sent;
        _pendingOffset += sent;
        if (_pendingOffset < PendingBody.Peek().Count)
        {
            return false;
        }
        PendingBody.Dequeue();
        _pendingOffset = 0;
        return true;
    }

    public void DropPending()
    {
        PendingBody.Clear();
        PendingBytes = 0;
        _pendingOffset = 0;
    }

    /// <summary>Queues response octets; <paramref name="credit"/> DATA octets are given back when they are read.</summary>
    public void Enqueue(ByteString bytes, int credit)
    {
        Credit += credit;
        if (!bytes.IsEmpty)
        {
            Output.Enqueue(bytes);
            Buffered += bytes.Count;
        }
    }

    /// <summary>Everything queued, in one piece, with the credit to give back.</summary>
    public (ByteString Bytes, int Credit) TakeOutput()
    {
        var bytes = Output.Dequeue();
        while (Output.TryDequeue(out var more))
        {
            bytes = bytes.Concat(more);
        }
        var credit = Credit;
        Credit = 0;
        Buffered = 0;
        return (bytes, credit);
    }
}
