using System.Collections.Concurrent;
using ActorMesh.Http;
using ActorMesh.Http.Http2;
using ActorMesh.Routing;
using Akka.IO;
using Akka.Util;

namespace ActorMesh.Upstream;

/// <summary>
/// Speaks HTTP/2 (prior-knowledge h2c) on an <see cref="UpstreamConnection"/> while its lessees keep speaking
/// HTTP/1.1: the request octets they write become HEADERS and DATA on a new stream, the stream's frames come back
/// to them as an HTTP/1.1 response. So the router, retries, shadows and every stat work unchanged, at the cost of
/// parsing the request head a second time. One stream at a time (Envoy with <c>max_concurrent_streams: 1</c>), the
/// connection reused stream after stream.
/// <para>
/// The socket is read all the time, so PING, SETTINGS and WINDOW_UPDATE are answered while a lessee is busy or the
/// connection sits idle in the pool, and a GOAWAY evicts it at once. Reading pauses while a receive's worth of
/// response waits for the lessee, so memory stays bounded and the peer is held back by its windows, which are
/// given back only as the lessee reads. All state lives in one <see cref="Http2ClientSession"/> and is touched only
/// by a lock-free serial executor: whoever queues work when none runs drains the queue.
/// </para>
/// </summary>
internal sealed class Http2UpstreamCodec : IHttp2StreamHandler
{
    /// <summary>Envoy's <c>max_response_headers_kb</c> default (60 KiB), as an HTTP/2 header list size.</summary>
    public const int MaxResponseHeaderListSize = 60 * 1024;

    // Response octets beyond this wait in the socket and the peer's window, not here: one receive's worth.
    private const int MaxBuffered = Http2FrameReader.ReceiveSize;

    private readonly UpstreamConnection _connection;
    private readonly Http2ClientSession _session;
    private readonly Http2CodecStats _stats;
    private readonly UpstreamCodecStats _codecStats;
    private readonly ConcurrentQueue<Action> _work = new();
    private readonly Queue<(long Mark, TaskCompletionSource Done)> _flushWaiters = new();
    private int _running;
    private long _taken;
    private long _sent;
    private bool _sending;
    private bool _receiving;
    private bool _closeWhenFlushed;
    private Http2Exchange? _exchange;
    private UpstreamResetException? _failure;
    private volatile bool _reusable = true;

    public Http2UpstreamCodec(UpstreamConnection connection, Http2SessionSettings settings, Http2CodecStats stats, UpstreamCodecStats codecStats)
    {
        _connection = connection;
        _session = new Http2ClientSession(settings);
        _stats = stats;
        _codecStats = codecStats;
        Run(() =>
        {
            _session.Start();
            Flush();
            StartReceive();
        });
    }

    /// <summary>
    /// Whether the connection may go back to the pool: the last exchange ended cleanly (both ends of its stream
    /// closed) and the upstream can take another stream. Set before the lessee reads the response's last octet.
    /// </summary>
    public bool Reusable => _reusable;

    public Task WriteAsync(ByteString bytes)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Run(() => Write(bytes, done));
        return done.Task;
    }

    public Task<Option<ByteString>> ReadAsync()
    {
        var read = new TaskCompletionSource<Option<ByteString>>(TaskCreationOptions.RunContinuationsAsynchronously);
        Run(() => Read(read));
        return read.Task;
    }

    private void Write(ByteString bytes, TaskCompletionSource done)
    {
        if (_exchange is null || _exchange.Finished)
        {
            _exchange = new Http2Exchange { Failure = _failure };
            _reusable = false;
            StartReceive();
        }
        var exchange = _exchange;
        if (exchange.Failure is not null)
        {
            done.TrySetException(exchange.Failure);
            return;
        }
        var pendingBefore = exchange.PendingBytes;
        if (!exchange.Feed(bytes))
        {
            // Not one HTTP/1.1 request (bytes after its end, such as an upgraded tunnel's): nothing HTTP/2 can carry.
            ResetExchange(exchange, UpstreamResetReason.ProtocolError);
            done.TrySetException(exchange.Failure!);
            return;
        }
        _stats.PendingSendBytes.Add(exchange.PendingBytes - pendingBefore);
        if (exchange.Request is null)
        {
            // Part of a head: kept until the rest arrives.
            done.TrySetResult();
            return;
        }
        if (exchange.StreamId == 0 && !Open(exchange))
        {
            done.TrySetException(exchange.Failure!);
            return;
        }
        exchange.WriteDone = done;
        PumpBody(exchange);
        Flush();
    }

    private bool Open(Http2Exchange exchange)
    {
        if (!_session.CanOpenStream)
        {
            // After GOAWAY the upstream takes no new stream: the request never reached it, so it may be retried.
            FailExchange(exchange, UpstreamResetReason.RemoteRefusedStreamReset);
            return false;
        }
        var endStream = exchange.RequestParsed && exchange.PendingBody.Count == 0;
        exchange.Opened(_session.OpenStream(Http2RequestHeaders.From(exchange.Request!), endStream));
        exchange.EndStreamSent = endStream;
        exchange.StreamCounted = true;
        _stats.StreamsActive.Inc();
        return true;
    }

    /// <summary>Sends what the windows allow of the pending body, then END_STREAM; completes the write once all went.</summary>
    private void PumpBody(Http2Exchange exchange)
    {
        if (exchange.StreamId == 0 || exchange.Failure is not null)
        {
            return;
        }
        while (exchange.PendingBody.Count > 0)
        {
            var last = exchange.RequestParsed && exchange.PendingBody.Count == 1;
            var chunk = exchange.NextPending();
            var sent = _session.SendData(chunk, last);
            _stats.PendingSendBytes.Add(-sent);
            var sliceDone = exchange.Sent(sent);
            if (!sliceDone)
            {
                return;
            }
            exchange.EndStreamSent |= last;
        }
        if (exchange.RequestParsed && !exchange.EndStreamSent)
        {
            _session.SendData(ReadOnlySpan<byte>.Empty, endStream: true);
            exchange.EndStreamSent = true;
        }
        if (exchange.WriteDone is { } done)
        {
            exchange.WriteDone = null;
            AwaitFlush(done);
        }
        if (exchange.EndStreamSent && exchange.ResponseComplete)
        {
            Complete(exchange);
        }
    }

    private void Read(TaskCompletionSource<Option<ByteString>> read)
    {
        if (_exchange is not { } exchange)
        {
            read.TrySetException((Exception?)_failure ?? new InvalidOperationException("read before a request"));
            return;
        }
        if (exchange.Output.Count > 0)
        {
            Deliver(exchange, read);
        }
        else if (exchange.Failure is not null)
        {
            read.TrySetException(exchange.Failure);
        }
        else if (exchange.ResponseComplete)
        {
            read.TrySetResult(Option<ByteString>.None);
        }
        else
        {
            exchange.ReadWaiter = read;
        }
    }

    /// <summary>Hands the queued response octets to the lessee and gives their DATA back to the peer's windows.</summary>
    private void Deliver(Http2Exchange exchange, TaskCompletionSource<Option<ByteString>> read)
    {
        var (bytes, credit) = exchange.TakeOutput();
        _session.ConsumeData(exchange.StreamId, credit);
        Flush();
        StartReceive();
        read.TrySetResult(bytes);
    }

    // A malformed response (RFC 9113 §8.1.1) is refused here; the session resets the stream (OnStreamError).
    public bool OnHeaders(int streamId, List<HttpHeader> fields, bool endStream) =>
        Current(streamId) is not { } exchange || Accept(exchange, exchange.Response!.OnHeaders(fields, endStream, out _), credit: 0);

    public bool OnData(int streamId, ReadOnlySpan<byte> data, bool endStream)
    {
        if (Current(streamId) is not { } exchange)
        {
            // Nobody will read it: given back at once, so the connection's window does not shrink.
            _session.ConsumeData(streamId, data.Length);
            return true;
        }
        return Accept(exchange, exchange.Response!.OnData(data, endStream, out _), data.Length);
    }

    private static bool Accept(Http2Exchange exchange, ByteString? output, int credit)
    {
        if (output is null)
        {
            return false;
        }
        exchange.Enqueue(output, credit);
        return true;
    }

    /// <summary>
    /// After a receive: an exchange whose stream closed both ways is complete, decided before the lessee can see its
    /// last octet, so its release finds the answer ready; then a waiting lessee gets what arrived.
    /// </summary>
    private void AfterReceive()
    {
        if (_exchange is not { } exchange)
        {
            return;
        }
        if (exchange.Failure is null && exchange.ResponseComplete && exchange.EndStreamSent)
        {
            Complete(exchange);
        }
        if (exchange.Output.Count > 0 && exchange.ReadWaiter is { } read)
        {
            exchange.ReadWaiter = null;
            Deliver(exchange, read);
        }
    }

    public void OnStreamReset(int streamId, Http2ErrorCode code, bool byRstStream)
    {
        if (byRstStream)
        {
            _stats.RxReset.Inc();
        }
        if (Current(streamId) is not { } exchange)
        {
            return;
        }
        if (exchange.ResponseComplete)
        {
            // RFC 9113 §8.1: a server done with its response may reset the rest of the request (NO_ERROR).
            _stats.PendingSendBytes.Add(-exchange.PendingBytes);
            exchange.DropPending();
            exchange.EndStreamSent = true;
            PumpBody(exchange);
            return;
        }
        FailExchange(exchange, code == Http2ErrorCode.RefusedStream ? UpstreamResetReason.RemoteRefusedStreamReset : UpstreamResetReason.RemoteReset);
    }

    public void OnStreamError(int streamId, Http2StreamError error)
    {
        _stats.TxReset.Inc();
        switch (error)
        {
            case Http2StreamError.HeaderOverflow:
                _stats.HeaderOverflow.Inc();
                break;
            case Http2StreamError.Messaging:
                _stats.RxMessagingError.Inc();
                break;
        }
        if (Current(streamId) is { } exchange)
        {
            // The RST_STREAM goes out before the lessee hears of the error and closes the connection.
            Flush();
            FailExchange(exchange, UpstreamResetReason.ProtocolError);
        }
    }

    public void OnGoAway(int lastStreamId, Http2ErrorCode code)
    {
        _codecStats.UpstreamCxCloseNotify.Inc();
        _reusable = false;
        if (_exchange is null || _exchange.Finished)
        {
            _connection.CloseIfIdle();
        }
    }

    public void OnSendWindowOpened()
    {
        if (_exchange is { } exchange)
        {
            PumpBody(exchange);
        }
    }

    private Http2Exchange? Current(int streamId) =>
        _exchange is { Failure: null } exchange && exchange.StreamId == streamId && streamId != 0 ? exchange : null;

    /// <summary>Both ends of the stream are closed: the connection may take the next exchange.</summary>
    private void Complete(Http2Exchange exchange)
    {
        if (exchange.Completed)
        {
            return;
        }
        exchange.Completed = true;
        ReleaseStream(exchange);
        _reusable = _failure is null && _session.CanOpenStream;
    }

    private void ReleaseStream(Http2Exchange exchange)
    {
        if (exchange.StreamCounted)
        {
            exchange.StreamCounted = false;
            _stats.StreamsActive.Dec();
        }
        _stats.PendingSendBytes.Add(-exchange.PendingBytes);
        exchange.DropPending();
    }

    /// <summary>Our side gives up the stream (RST_STREAM sent) and the exchange fails.</summary>
    private void ResetExchange(Http2Exchange exchange, UpstreamResetReason reason)
    {
        if (exchange.StreamId != 0 && _session.StreamId == exchange.StreamId)
        {
            _session.ResetStream(Http2ErrorCode.Cancel);
            _stats.TxReset.Inc();
            Flush();
        }
        FailExchange(exchange, reason);
    }

    private void FailExchange(Http2Exchange exchange, UpstreamResetReason reason)
    {
        if (exchange.Failure is not null)
        {
            return;
        }
        exchange.Failure = new UpstreamResetException(reason);
        _reusable = false;
        ReleaseStream(exchange);
        if (exchange.WriteDone is { } write)
        {
            exchange.WriteDone = null;
            write.TrySetException(exchange.Failure);
        }
        if (exchange.ReadWaiter is { } read)
        {
            exchange.ReadWaiter = null;
            read.TrySetException(exchange.Failure);
        }
    }

    /// <summary>The connection is done (closed, reset, or a connection error): every waiter learns why.</summary>
    private void FailConnection(UpstreamResetReason reason)
    {
        if (_failure is not null)
        {
            return;
        }
        _failure = new UpstreamResetException(reason);
        _reusable = false;
        if (_exchange is { } exchange && !exchange.Finished)
        {
            FailExchange(exchange, reason);
        }
        while (_flushWaiters.TryDequeue(out var waiter))
        {
            waiter.Done.TrySetException(_failure);
        }
        if (_sending || _session.OutputLength > 0)
        {
            _closeWhenFlushed = true;
        }
        else
        {
            _connection.CloseIfIdle();
        }
    }

    private void StartReceive()
    {
        if (_receiving || _failure is not null || (_exchange is { } exchange && exchange.Buffered >= MaxBuffered))
        {
            return;
        }
        _receiving = true;
        _connection.ReceiveRawAsync(_session.Reader.ReceiveMemory()).ContinueWith(
            static (received, state) =>
            {
                var codec = (Http2UpstreamCodec)state!;
                codec.Run(() => codec.OnReceived(received));
            },
            this,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    private void OnReceived(Task<int> received)
    {
        _receiving = false;
        if (_failure is not null)
        {
            return;
        }
        if (!received.IsCompletedSuccessfully || received.Result == 0)
        {
            FailConnection(_connection.Connected.IsCompletedSuccessfully ? UpstreamResetReason.ConnectionTermination : UpstreamResetReason.ConnectionFailure);
            return;
        }
        _session.Reader.Advance(received.Result);
        if (!_session.Receive(this))
        {
            _codecStats.UpstreamCxProtocolError.Inc();
            // The GOAWAY goes out before the lessee hears of the error and closes the connection.
            Flush();
            FailConnection(UpstreamResetReason.ProtocolError);
            return;
        }
        AfterReceive();
        Flush();
        StartReceive();
    }

    private void AwaitFlush(TaskCompletionSource done)
    {
        var mark = _taken + _session.OutputLength;
        if (mark <= _sent)
        {
            done.TrySetResult();
        }
        else
        {
            _flushWaiters.Enqueue((mark, done));
        }
    }

    /// <summary>One send at a time; what the session wrote meanwhile goes in the next.</summary>
    private void Flush()
    {
        if (_sending || _session.OutputLength == 0)
        {
            return;
        }
        var bytes = _session.TakeOutput();
        _taken += bytes.Length;
        _sending = true;
        _connection.SendRawAsync(bytes).ContinueWith(
            static (sent, state) =>
            {
                var (codec, length) = ((Http2UpstreamCodec, int))state!;
                codec.Run(() => codec.OnSent(sent, length));
            },
            (this, bytes.Length),
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    private void OnSent(Task sent, int length)
    {
        _sending = false;
        if (!sent.IsCompletedSuccessfully)
        {
            FailConnection(_connection.Connected.IsCompletedSuccessfully ? UpstreamResetReason.ConnectionTermination : UpstreamResetReason.ConnectionFailure);
            return;
        }
        _sent += length;
        while (_flushWaiters.TryPeek(out var waiter) && waiter.Mark <= _sent)
        {
            _flushWaiters.Dequeue();
            waiter.Done.TrySetResult();
        }
        Flush();
        if (_closeWhenFlushed && !_sending)
        {
            _connection.CloseIfIdle();
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> after whatever is queued, on this thread if no other is draining: the codec's
    /// state is only ever touched by one thread at a time, without a lock.
    /// </summary>
    private void Run(Action work)
    {
        _work.Enqueue(work);
        while (Interlocked.CompareExchange(ref _running, 1, 0) == 0)
        {
            while (_work.TryDequeue(out var next))
            {
                try
                {
                    next();
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    // A bug must not strand the lessee: the connection fails and is never reused.
                    FailConnection(UpstreamResetReason.ProtocolError);
                }
            }
            Volatile.Write(ref _running, 0);
            if (_work.IsEmpty)
            {
                return;
            }
        }
    }
}
