using System.Buffers.Binary;
using ActorMesh.Commands.Protocol;
using Akka.IO;
using Akka.Streams;
using Akka.Streams.Stage;

namespace ActorMesh.Commands;

/// <summary>A frame the host could not read (bad length, bad JSON, unknown type): the connection answers with an error and closes.</summary>
public sealed record BadFrame(string Reason);

/// <summary>
/// Bytes from a console connection to protocol messages (<see cref="CommandMessages"/>), or one <see cref="BadFrame"/>
/// after which the stage completes. Buffers at most one frame (header and <see cref="CommandFrames.MaxFrameLength"/>).
/// </summary>
public sealed class CommandFrameDecoder : GraphStage<FlowShape<ByteString, object>>
{
    private readonly Inlet<ByteString> _in = new("CommandFrameDecoder.in");
    private readonly Outlet<object> _out = new("CommandFrameDecoder.out");

    public CommandFrameDecoder() => Shape = new FlowShape<ByteString, object>(_in, _out);

    public override FlowShape<ByteString, object> Shape { get; }

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this);

    private sealed class Logic : InAndOutGraphStageLogic
    {
        private readonly CommandFrameDecoder _stage;
        private ByteString _buffer = ByteString.Empty;

        public Logic(CommandFrameDecoder stage) : base(stage.Shape)
        {
            _stage = stage;
            SetHandlers(stage._in, stage._out, this);
        }

        public override void OnPush()
        {
            _buffer = _buffer.Concat(Grab(_stage._in));
            EmitOrPull();
        }

        public override void OnPull() => EmitOrPull();

        public override void OnUpstreamFinish()
        {
            if (_buffer.IsEmpty)
            {
                CompleteStage();
            }
            else if (IsAvailable(_stage._out))
            {
                EmitOrPull();
            }
        }

        private void EmitOrPull()
        {
            if (!IsAvailable(_stage._out))
            {
                return;
            }
            if (_buffer.Count >= CommandFrames.HeaderLength)
            {
                var length = BinaryPrimitives.ReadUInt32BigEndian(_buffer.Slice(0, CommandFrames.HeaderLength).ToArray());
                if (CommandFrames.CheckLength(length) is { } error)
                {
                    Fail(error);
                    return;
                }
                var total = CommandFrames.HeaderLength + (int)length;
                if (_buffer.Count >= total)
                {
                    var json = _buffer.Slice(CommandFrames.HeaderLength, (int)length).ToArray();
                    _buffer = _buffer.Slice(total).Compact();
                    var message = CommandFrames.Decode(json, out var decodeError);
                    if (decodeError is not null)
                    {
                        Fail(decodeError);
                        return;
                    }
                    Push(_stage._out, message);
                    return;
                }
            }
            if (IsClosed(_stage._in))
            {
                if (_buffer.IsEmpty)
                {
                    CompleteStage();
                }
                else
                {
                    Fail("the connection closed inside a frame");
                }
                return;
            }
            if (!HasBeenPulled(_stage._in))
            {
                Pull(_stage._in);
            }
        }

        /// <summary>The reason goes downstream as a message, so the session can answer it before the connection closes.</summary>
        private void Fail(string reason)
        {
            _buffer = ByteString.Empty;
            Push(_stage._out, new BadFrame(reason));
            CompleteStage();
        }
    }
}
