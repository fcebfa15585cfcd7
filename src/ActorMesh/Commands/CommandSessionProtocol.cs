namespace ActorMesh.Commands;

/// <summary>What a console connection's <see cref="CommandSessionActor"/> receives from its stream and its commands.</summary>
public static class CommandSessionProtocol
{
    /// <summary>The inbound stream started (<c>Sink.ActorRefWithAck</c>'s first message); acked like a frame.</summary>
    public sealed record StreamStarted
    {
        public static StreamStarted Instance { get; } = new();

        private StreamStarted() { }
    }

    /// <summary>Sent back to the inbound stream for each message: the next frame may come.</summary>
    public sealed record Ack
    {
        public static Ack Instance { get; } = new();

        private Ack() { }
    }

    /// <summary>The client closed its side, or the connection broke.</summary>
    public sealed record StreamEnded(Exception? Cause);

    /// <summary>A command's output frame, for the client.</summary>
    public sealed record Emit(long Id, object Message);

    /// <summary>A command is over with this status.</summary>
    public sealed record Finished(long Id, int Status);

    /// <summary>Nothing came in time after the connection opened.</summary>
    public sealed record HelloTimedOut
    {
        public static HelloTimedOut Instance { get; } = new();

        private HelloTimedOut() { }
    }
}
