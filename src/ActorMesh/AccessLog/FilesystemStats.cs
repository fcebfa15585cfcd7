using ActorMesh.Stats;

namespace ActorMesh.AccessLog;

/// <summary>
/// Envoy's file access log stats, rooted at <c>filesystem.</c> and shared by every file, stdout and stderr access log
/// of the node. <c>logs_dropped</c> is ActorMesh's own (named after Envoy's gRPC access log counter): Envoy blocks
/// or buffers without bound where ActorMesh drops a line rather than hold up a request.
/// </summary>
public sealed class FilesystemStats
{
    public const string ScopePrefix = "filesystem.";

    public FilesystemStats(StatsScope scope)
    {
        WriteBuffered = scope.Counter("write_buffered");
        WriteCompleted = scope.Counter("write_completed");
        WriteFailed = scope.Counter("write_failed");
        ReopenFailed = scope.Counter("reopen_failed");
        LogsDropped = scope.Counter("logs_dropped");
    }

    /// <summary>Lines accepted into a writer's queue.</summary>
    public Counter WriteBuffered { get; }

    /// <summary>Batches written and flushed to the file.</summary>
    public Counter WriteCompleted { get; }

    public Counter WriteFailed { get; }

    /// <summary>Times a file could not be opened.</summary>
    public Counter ReopenFailed { get; }

    /// <summary>Lines dropped because the writer's queue was full.</summary>
    public Counter LogsDropped { get; }
}
