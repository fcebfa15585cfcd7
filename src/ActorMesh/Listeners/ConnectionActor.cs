using ActorMesh.Stats;
using Akka;
using Akka.Actor;
using Akka.IO;
using Akka.Streams;
using Akka.Streams.Dsl;

namespace ActorMesh.Listeners;

public static class ConnectionProtocol
{
    /// <summary>Finish the request in flight, then close.</summary>
    public sealed record Drain
    {
        public static readonly Drain Instance = new();

        /// <summary>Close after the next response, however long that takes; an idle connection is not closed for it.</summary>
        public static readonly Drain OnNextResponse = new() { IdleGrace = Timeout.InfiniteTimeSpan };

        /// <summary>See <see cref="ListenerProtocol.Drain.IdleGrace"/>; infinite: see <see cref="OnNextResponse"/>.</summary>
        public TimeSpan IdleGrace { get; init; }
    }

    /// <summary>The connection's stream has ended (either side closed, or it failed).</summary>
    public sealed record Closed
    {
        public static readonly Closed Instance = new();
    }
}

/// <summary>
/// Owns one downstream connection: materializes its codec stream and lives exactly as long as that stream, so the
/// listener knows what is still open when it drains. Bytes never pass through the actor.
/// </summary>
public sealed class ConnectionActor : ReceiveActor
{
    private readonly Flow<ByteString, ByteString, NotUsed> _transport;
    private readonly Flow<ByteString, ByteString, IConnectionControl> _pipeline;
    private readonly IMaterializer _materializer;
    private readonly Histogram? _lengthMs;
    private IConnectionControl? _control;
    private long _openedAt;

    /// <param name="lengthMs">The listener's <c>downstream_cx_length_ms</c>, recorded when the connection ends.</param>
    public ConnectionActor(Flow<ByteString, ByteString, NotUsed> transport, Flow<ByteString, ByteString, IConnectionControl> pipeline, IMaterializer materializer, Histogram? lengthMs = null)
    {
        _lengthMs = lengthMs;
        _transport = transport;
        _pipeline = pipeline;
        _materializer = materializer;
        Receive<ConnectionProtocol.Drain>(drain => _control?.Drain(drain.IdleGrace));
        Receive<ConnectionProtocol.Closed>(_ => Context.Stop(Self));
    }

    public static Props Props(Flow<ByteString, ByteString, NotUsed> transport, Flow<ByteString, ByteString, IConnectionControl> pipeline, IMaterializer materializer, Histogram? lengthMs = null) =>
        Akka.Actor.Props.Create(() => new ConnectionActor(transport, pipeline, materializer, lengthMs));

    protected override void PostStop() => _lengthMs?.RecordElapsedMs(_openedAt);

    protected override void PreStart()
    {
        _openedAt = System.Diagnostics.Stopwatch.GetTimestamp();
        var (control, done) = _transport
            .JoinMaterialized(_pipeline.WatchTermination(Keep.Both), Keep.Right)
            .Run(_materializer);
        _control = control;
        var self = Self;
        done.ContinueWith(_ => self.Tell(ConnectionProtocol.Closed.Instance), TaskContinuationOptions.ExecuteSynchronously);
    }
}
