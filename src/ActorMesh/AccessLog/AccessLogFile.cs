using System.Threading.Channels;

namespace ActorMesh.AccessLog;

/// <summary>
/// One destination (a file path, stdout or stderr) as the request path sees it: a bounded queue of lines that its
/// <see cref="AccessLogWriterActor"/> drains. Every access log writing to the destination shares it.
/// </summary>
public sealed class AccessLogFile
{
    /// <summary>
    /// Lines held for the writer before new ones are dropped: at ~300 bytes a line about 5 MiB, several seconds of a
    /// busy node's traffic behind a stalled disk.
    /// </summary>
    public const int DefaultCapacity = 16 * 1024;

    private readonly Channel<string> _channel;

    internal AccessLogFile(string destination, FilesystemStats stats, int capacity = DefaultCapacity)
    {
        Destination = destination;
        Stats = stats;
        // FullMode.Wait only matters to WriteAsync, which is never used: TryWrite returns false when full instead of
        // dropping silently as DropWrite would, which is what lets a drop be counted.
        _channel = Channel.CreateBounded<string>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            SingleWriter = false,
            AllowSynchronousContinuations = false,
        });
    }

    /// <summary>The file path, or <c>stdout</c> / <c>stderr</c>.</summary>
    public string Destination { get; }

    internal FilesystemStats Stats { get; }

    internal ChannelReader<string> Reader => _channel.Reader;

    /// <summary>Queues a line without waiting; when the queue is full the line is dropped and counted.</summary>
    public void Write(string line)
    {
        if (_channel.Writer.TryWrite(line))
        {
            Stats.WriteBuffered.Inc();
        }
        else
        {
            Stats.LogsDropped.Inc();
        }
    }
}
