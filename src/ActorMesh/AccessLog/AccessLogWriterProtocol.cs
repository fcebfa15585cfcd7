namespace ActorMesh.AccessLog;

/// <summary>What an <see cref="AccessLogWriterActor"/> tells itself.</summary>
public static class AccessLogWriterProtocol
{
    /// <summary>The queue has lines (its wait completed, or a batch ended with more behind it).</summary>
    public sealed record LinesAvailable
    {
        public static readonly LinesAvailable Instance = new();

        private LinesAvailable() { }
    }
}
