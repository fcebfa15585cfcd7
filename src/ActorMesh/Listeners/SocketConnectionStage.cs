using System.Buffers;
using System.Net.Sockets;
using Akka.IO;
using Akka.Streams;
using Akka.Streams.Stage;

namespace ActorMesh.Listeners;

/// <summary>
/// The lean socket edge (DESIGN.md §2): one accepted TCP connection as a stage. Inlet: bytes to send; outlet: bytes
/// received. It owns its <see cref="Socket"/> directly with a stage's backpressure (a receive only when pulled, one
/// send at a time), so bytes reach the codec without Akka.IO's actor hops. Half-close works both ways: a FIN from the
/// peer completes the outlet; completing the inlet sends FIN.
/// </summary>
public sealed class SocketConnectionStage : GraphStage<FlowShape<ByteString, ByteString>>
{
    // One receive takes at most this much, as akka.io.tcp.maximum-frame-size does on the Akka.IO edge.
    public const int MaxReceiveBufferSize = 64 * 1024;

    private readonly Socket _socket;
    private readonly int _receiveBufferSize;

    /// <param name="receiveBufferSize">
    /// The most one receive reads, capped at <see cref="MaxReceiveBufferSize"/>: with reads only on demand, this bounds
    /// what a connection holds in flight (Envoy's <c>per_connection_buffer_limit_bytes</c>).
    /// </param>
    public SocketConnectionStage(Socket socket, int receiveBufferSize = MaxReceiveBufferSize)
    {
        _socket = socket;
        _receiveBufferSize = Math.Clamp(receiveBufferSize, 1, MaxReceiveBufferSize);
        Shape = new FlowShape<ByteString, ByteString>(In, Out);
    }

    public Inlet<ByteString> In { get; } = new("SocketConnection.in");

    public Outlet<ByteString> Out { get; } = new("SocketConnection.out");

    public override FlowShape<ByteString, ByteString> Shape { get; }

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this);

    private sealed class Logic : InAndOutGraphStageLogic
    {
        private readonly SocketConnectionStage _stage;
        private readonly Socket _socket;
        private byte[]? _buffer;
        private Action<Task<int>> _onReceived = null!;
        private Action<Task<int>> _onSent = null!;
        private bool _receiving;
        private bool _sending;
        private bool _sendClosed;
        private bool _reset;

        public Logic(SocketConnectionStage stage) : base(stage.Shape)
        {
            _stage = stage;
            _socket = stage._socket;
            SetHandlers(stage.In, stage.Out, this);
        }

        public override void PreStart()
        {
            _buffer = ArrayPool<byte>.Shared.Rent(_stage._receiveBufferSize);
            _onReceived = GetAsyncCallback<Task<int>>(OnReceiveCompleted);
            _onSent = GetAsyncCallback<Task<int>>(OnSendCompleted);
            Pull(_stage.In);
        }

        public override void PostStop()
        {
            try
            {
                if (_reset)
                {
                    _socket.LingerState = new LingerOption(true, 0);
                }
            }
            catch (SocketException)
            {
            }
            _socket.Dispose();
            // A receive still in flight may yet touch the buffer; then it is left to the GC instead of the pool.
            if (!_receiving && _buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(_buffer);
            }
            _buffer = null;
        }

        public override void OnPull() => Receive();

        public override void OnDownstreamFinish(Exception cause) => TryFinish();

        public override void OnPush() => Send(Grab(_stage.In));

        public override void OnUpstreamFinish() => TryFinish();

        public override void OnUpstreamFailure(Exception e)
        {
            // The pipeline gave up on this connection mid-message: reset it rather than end it as if complete.
            _reset = true;
            CompleteStage();
        }

        private void Receive()
        {
            _receiving = true;
            ValueTask<int> pending;
            try
            {
                pending = _socket.ReceiveAsync(_buffer.AsMemory(0, _stage._receiveBufferSize), SocketFlags.None);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                _receiving = false;
                FailStage(e);
                return;
            }
            if (pending.IsCompletedSuccessfully)
            {
                OnReceived(pending.Result);
                return;
            }
            pending.AsTask().ContinueWith(
                static (t, callback) => ((Action<Task<int>>)callback!)(t),
                _onReceived,
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }

        private void OnReceiveCompleted(Task<int> received)
        {
            if (received.IsCompletedSuccessfully)
            {
                OnReceived(received.Result);
                return;
            }
            _receiving = false;
            FailStage(received.Exception?.GetBaseException() ?? new IOException("receive cancelled"));
        }

        private void OnReceived(int count)
        {
            _receiving = false;
            if (IsClosed(_stage.Out))
            {
                TryFinish();
                return;
            }
            if (count == 0)
            {
                Complete(_stage.Out);
                TryFinish();
                return;
            }
            Push(_stage.Out, ByteString.CopyFrom(_buffer!, 0, count));
        }

        private void Send(ByteString bytes)
        {
            _sending = true;
            ValueTask<int> pending;
            try
            {
                // One contiguous copy also coalesces a head and body built as separate segments into one write.
                pending = _socket.SendAsync(bytes.ToArray().AsMemory(), SocketFlags.None);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                _sending = false;
                FailStage(e);
                return;
            }
            if (pending.IsCompletedSuccessfully)
            {
                OnSent();
                return;
            }
            pending.AsTask().ContinueWith(
                static (t, callback) => ((Action<Task<int>>)callback!)(t),
                _onSent,
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }

        private void OnSendCompleted(Task<int> sent)
        {
            if (sent.IsCompletedSuccessfully)
            {
                OnSent();
                return;
            }
            _sending = false;
            FailStage(sent.Exception?.GetBaseException() ?? new IOException("send cancelled"));
        }

        private void OnSent()
        {
            _sending = false;
            if (IsClosed(_stage.In))
            {
                TryFinish();
            }
            else
            {
                Pull(_stage.In);
            }
        }

        /// <summary>Sends FIN once everything written has gone out; stops once both directions are done.</summary>
        private void TryFinish()
        {
            if (!IsClosed(_stage.In) || _sending)
            {
                return;
            }
            if (!_sendClosed)
            {
                _sendClosed = true;
                try
                {
                    _socket.Shutdown(SocketShutdown.Send);
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException)
                {
                    // The peer is already gone; there is nobody left to tell.
                }
            }
            if (IsClosed(_stage.Out))
            {
                CompleteStage();
            }
        }
    }
}
