using System.Threading.Channels;

namespace ActorMesh.Tracing;

/// <summary>
/// Finished spans waiting for their <see cref="SpanExporterActor"/>. Bounded: when the collector is slow or gone the
/// queue fills and new spans are dropped and counted, so the request path never waits and memory stays bounded.
/// </summary>
public sealed class SpanQueue
{
    /// <summary>The OpenTelemetry SDK's default <c>maxQueueSize</c>.</summary>
    public const int DefaultCapacity = 2048;

    private readonly Channel<FinishedSpan> _channel;

    internal SpanQueue(TracerStats stats, int capacity = DefaultCapacity)
    {
        Stats = stats;
        // TryWrite on a full Wait-mode channel returns false, which is what lets a drop be counted.
        _channel = Channel.CreateBounded<FinishedSpan>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            SingleWriter = false,
            AllowSynchronousContinuations = false,
        });
    }

    internal TracerStats Stats { get; }

    internal ChannelReader<FinishedSpan> Reader => _channel.Reader;

    public void Enqueue(FinishedSpan span)
    {
        if (!_channel.Writer.TryWrite(span))
        {
            Stats.SpansDropped.Inc();
        }
    }
}
