using ActorMesh.AccessLog.Filters;
using ActorMesh.Http;

namespace ActorMesh.AccessLog;

/// <summary>
/// One configured access log: its filter, its compiled format and the destination it writes to. Immutable and
/// thread-safe; the request path calls <see cref="Log"/> once per finished exchange.
/// </summary>
public sealed class AccessLogger
{
    internal AccessLogger(string name, AccessLogFormatter formatter, AccessLogFile file, AccessLogFilter? filter = null)
    {
        Name = name;
        Formatter = formatter;
        File = file;
        Filter = filter;
    }

    /// <summary>The <c>name</c> from the config (<c>envoy.access_loggers.file</c> unless the file chose another).</summary>
    public string Name { get; }

    public AccessLogFormatter Formatter { get; }

    public AccessLogFile File { get; }

    /// <summary>The entry's <c>filter</c>; null logs every exchange.</summary>
    public AccessLogFilter? Filter { get; }

    /// <summary>
    /// Unless the filter rejects the exchange, formats it and queues the line for the destination's writer. Never
    /// blocks: a full queue drops the line and counts it in <c>filesystem.logs_dropped</c>. <paramref name="info"/>
    /// must not change afterwards.
    /// </summary>
    public void Log(StreamInfo info)
    {
        if (Filter is null || Filter.Evaluate(info))
        {
            File.Write(Formatter.Format(info));
        }
    }
}
