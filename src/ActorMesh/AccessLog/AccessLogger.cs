using ActorMesh.Http;

namespace ActorMesh.AccessLog;

/// <summary>
/// One configured access log: its compiled format and the destination it writes to. Immutable and thread-safe; the
/// request path calls <see cref="Log"/> once per finished exchange.
/// </summary>
public sealed class AccessLogger
{
    internal AccessLogger(string name, AccessLogFormatter formatter, AccessLogFile file)
    {
        Name = name;
        Formatter = formatter;
        File = file;
    }

    /// <summary>The <c>name</c> from the config (<c>envoy.access_loggers.file</c> unless the file chose another).</summary>
    public string Name { get; }

    public AccessLogFormatter Formatter { get; }

    public AccessLogFile File { get; }

    /// <summary>
    /// Formats the exchange and queues the line for the destination's writer. Never blocks: a full queue drops the
    /// line and counts it in <c>filesystem.logs_dropped</c>. <paramref name="info"/> must not change afterwards.
    /// </summary>
    public void Log(StreamInfo info) => File.Write(Formatter.Format(info));
}
