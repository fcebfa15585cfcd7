using System.Collections.Concurrent;
using ActorMesh.Tests.Support;
using Xunit;

namespace ActorMesh.Tests.Tracing;

/// <summary>A trace collector on 127.0.0.1: records every POST it receives and answers <paramref name="status"/>.</summary>
internal sealed class LoopbackCollector : IAsyncDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private readonly ConcurrentQueue<UpstreamRequest> _reports = new();
    private readonly TestUpstream _server;

    public LoopbackCollector(int status = 200)
    {
        _server = TestUpstream.Start(async (request, stream) =>
        {
            _reports.Enqueue(request);
            await TestUpstream.WriteResponse(stream, status, string.Empty);
        });
    }

    public int Port => _server.Port;

    public IReadOnlyList<UpstreamRequest> Reports => _reports.ToArray();

    /// <summary>The reports received until <paramref name="done"/> holds of their spans; fails after a bounded wait.</summary>
    public async Task<IReadOnlyList<TSpan>> WaitForSpans<TSpan>(Func<UpstreamRequest, IEnumerable<TSpan>> decode, Func<IReadOnlyList<TSpan>, bool> done)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (true)
        {
            var spans = Reports.SelectMany(decode).ToList();
            if (done(spans))
            {
                return spans;
            }
            Assert.True(DateTime.UtcNow < deadline, $"collector got {spans.Count} spans, not what the test waits for");
            await Task.Delay(20);
        }
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
