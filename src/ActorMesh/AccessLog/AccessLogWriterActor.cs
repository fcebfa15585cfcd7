using System.Text;
using Akka.Actor;
using Akka.Event;

namespace ActorMesh.AccessLog;

/// <summary>
/// Owns one destination's file handle and drains its <see cref="AccessLogFile"/> queue in batches. It flushes as soon
/// as the queue runs empty, so a line reaches the file within one batch of being logged; Envoy's 1 s
/// <c>file_flush_interval_msec</c> timer has nothing left to flush and is not needed. Runs on Akka's blocking-I/O
/// dispatcher: a slow disk stalls this actor and fills its queue, never a request.
/// </summary>
public sealed class AccessLogWriterActor : UntypedActor
{
    public const string BlockingIoDispatcher = "akka.actor.default-blocking-io-dispatcher";

    /// <summary>Lines written per message, after which the actor lets its mailbox (a stop) in before going on.</summary>
    private const int MaxBatchLines = 1024;

    /// <summary>The write buffer, like Envoy's 64 KiB minimum flush size: a full buffer is written before a flush.</summary>
    private const int BufferChars = 64 * 1024;

    private static readonly Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);

    private readonly AccessLogFile _file;
    private readonly Func<Stream> _open;
    private readonly bool _ownsStream;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private StreamWriter? _writer;
    private bool _openFailedReported;

    public AccessLogWriterActor(AccessLogFile file, Func<Stream> open, bool ownsStream)
    {
        _file = file;
        _open = open;
        _ownsStream = ownsStream;
    }

    /// <param name="ownsStream">False for stdout and stderr, which outlive the writer.</param>
    public static Props Props(AccessLogFile file, Func<Stream> open, bool ownsStream) =>
        Akka.Actor.Props.Create(() => new AccessLogWriterActor(file, open, ownsStream)).WithDispatcher(BlockingIoDispatcher);

    protected override void PreStart()
    {
        TryOpen();
        WaitForLines();
    }

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case AccessLogWriterProtocol.LinesAvailable:
                if (WriteBatch(MaxBatchLines))
                {
                    Self.Tell(AccessLogWriterProtocol.LinesAvailable.Instance);
                }
                else
                {
                    Flush();
                    WaitForLines();
                }
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    /// <summary>Whatever was logged before the stop still reaches the file.</summary>
    protected override void PostStop()
    {
        WriteBatch(int.MaxValue);
        Flush();
        if (_ownsStream)
        {
            _writer?.Dispose();
        }
        _writer = null;
    }

    private void WaitForLines() =>
        _file.Reader.WaitToReadAsync().AsTask().PipeTo(Self, success: _ => AccessLogWriterProtocol.LinesAvailable.Instance);

    /// <summary>Writes up to <paramref name="maxLines"/> queued lines; true when more are waiting.</summary>
    private bool WriteBatch(int maxLines)
    {
        var reader = _file.Reader;
        if (_writer is null && !TryOpen())
        {
            // Lines nobody can write are still taken off the queue, so the request path keeps queueing, not dropping.
            var lost = 0;
            while (lost < maxLines && reader.TryRead(out _))
            {
                lost++;
            }
            if (lost > 0)
            {
                _file.Stats.WriteFailed.Inc();
            }
            return reader.TryPeek(out _);
        }
        try
        {
            for (var n = 0; n < maxLines && reader.TryRead(out var line); n++)
            {
                _writer!.Write(line);
            }
        }
        catch (IOException e)
        {
            Fail(e);
        }
        return reader.TryPeek(out _);
    }

    private void Flush()
    {
        if (_writer is null)
        {
            return;
        }
        try
        {
            _writer.Flush();
            _file.Stats.WriteCompleted.Inc();
        }
        catch (IOException e)
        {
            Fail(e);
        }
    }

    private void Fail(IOException e)
    {
        _file.Stats.WriteFailed.Inc();
        _log.Warning(e, "access log {0}: write failed; reopening", _file.Destination);
        try
        {
            if (_ownsStream)
            {
                _writer?.Dispose();
            }
        }
        catch (IOException)
        {
            // The handle is already broken; the reopen below is what matters.
        }
        _writer = null;
    }

    private bool TryOpen()
    {
        try
        {
            _writer = new StreamWriter(_open(), Utf8, BufferChars, leaveOpen: !_ownsStream);
            _openFailedReported = false;
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            _file.Stats.ReopenFailed.Inc();
            if (!_openFailedReported)
            {
                _log.Error(e, "access log {0}: cannot open", _file.Destination);
                _openFailedReported = true;
            }
            return false;
        }
    }
}
