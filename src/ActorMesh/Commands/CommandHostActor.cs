using ActorMesh.Commands.Protocol;
using Akka;
using Akka.Actor;
using Akka.IO;
using Akka.Streams;
using Akka.Streams.Dsl;
using static ActorMesh.Commands.CommandSessionProtocol;
using Tcp = Akka.Streams.Dsl.Tcp;

namespace ActorMesh.Commands;

/// <summary>
/// The command host's listener: each accepted console connection gets a <see cref="CommandSessionActor"/> (a child, so
/// the children are the open connections) and a stream that frames bytes to and from it. Past
/// <see cref="CommandHostSettings.MaxConnections"/> a connection gets an error frame and is closed.
/// </summary>
public sealed class CommandHostActor : ReceiveActor
{
    private readonly CommandRegistry _registry;
    private readonly CommandHostSettings _settings;
    private readonly string _node;
    private readonly IMaterializer _materializer;

    public CommandHostActor(CommandRegistry registry, CommandHostSettings settings, string node)
    {
        _registry = registry;
        _settings = settings;
        _node = node;
        _materializer = Context.Materializer();
        Receive<Tcp.IncomingConnection>(Accept);
        Receive<Terminated>(_ => { });
    }

    public static Props Props(CommandRegistry registry, CommandHostSettings settings, string node) =>
        Akka.Actor.Props.Create(() => new CommandHostActor(registry, settings, node));

    private void Accept(Tcp.IncomingConnection connection)
    {
        if (Context.GetChildren().Count() >= _settings.MaxConnections)
        {
            var refusal = CommandFrames.Encode(new CommandMessages.Error(0, $"too many console connections (at most {_settings.MaxConnections})"));
            connection.HandleWith(Flow.FromSinkAndSource(Sink.Ignore<ByteString>(), Source.Single(ByteString.FromBytes(refusal)), Keep.None), _materializer);
            return;
        }
        var (client, output) = Source.ActorRef<ByteString>(_settings.OutputBufferFrames, OverflowStrategy.Fail).PreMaterialize(_materializer);
        var session = Context.ActorOf(CommandSessionActor.Props(_registry, _settings, _node, client));
        Context.Watch(session);
        var input = Flow.Create<ByteString>()
            .Via(new CommandFrameDecoder())
            .To(Sink.ActorRefWithAck<object>(session, StreamStarted.Instance, Ack.Instance, new StreamEnded(null), e => new StreamEnded(e)));
        connection.HandleWith(Flow.FromSinkAndSource(input, output, Keep.None), _materializer);
    }
}
